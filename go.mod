module github.com/cachetta-go/cachetta

go 1.25.0

require github.com/hashicorp/golang-lru/v2 v2.0.7
