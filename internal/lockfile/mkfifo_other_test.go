//go:build !unix

package lockfile

import "errors"

func mkfifo(string) error { return errors.New("no named pipes here") }
