package fsx

import "syscall"

// sysFstatat is fstatat(2)'s number, newfstatat on this architecture.
const sysFstatat = syscall.SYS_NEWFSTATAT
