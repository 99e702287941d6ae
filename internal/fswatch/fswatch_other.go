//go:build !linux

package fswatch

type watcher struct{}

func start(string, string, chan<- struct{}) (*watcher, error) { return nil, ErrUnsupported }

func (*watcher) close() {}
