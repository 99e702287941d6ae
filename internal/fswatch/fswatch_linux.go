package fswatch

import (
	"bytes"
	"errors"
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// watcher is an inotify descriptor read by one goroutine.
type watcher struct {
	f  *os.File
	wg sync.WaitGroup
}

// events are the changes of a file that can make its content new.
const events = syscall.IN_CREATE | syscall.IN_MOVED_TO | syscall.IN_CLOSE_WRITE | syscall.IN_DELETE

func start(dir, name string, c chan<- struct{}) (*watcher, error) {
	fd, err := syscall.InotifyInit1(syscall.IN_NONBLOCK | syscall.IN_CLOEXEC)
	if err != nil {
		return nil, errors.Join(ErrUnsupported, err)
	}
	if _, err := syscall.InotifyAddWatch(fd, dir, events|syscall.IN_ONLYDIR); err != nil {
		syscall.Close(fd)
		return nil, &os.PathError{Op: "watch", Path: dir, Err: err}
	}
	// A non-blocking descriptor goes through the runtime's poller, whose
	// Read Close interrupts.
	w := &watcher{f: os.NewFile(uintptr(fd), "inotify")}
	w.wg.Go(func() { read(w.f, []byte(name), c) })
	return w, nil
}

// read passes on the events of name until f is closed.
func read(f *os.File, name []byte, c chan<- struct{}) {
	buf := make([]byte, 64*(syscall.SizeofInotifyEvent+syscall.NAME_MAX+1))
	for {
		n, err := f.Read(buf)
		if err != nil {
			return
		}
		for off := 0; off+syscall.SizeofInotifyEvent <= n; {
			ev := (*syscall.InotifyEvent)(unsafe.Pointer(&buf[off]))
			nameLen := int(ev.Len)
			end := off + syscall.SizeofInotifyEvent + nameLen
			if end > n {
				break
			}
			got := bytes.TrimRight(buf[off+syscall.SizeofInotifyEvent:end], "\x00")
			if bytes.Equal(got, name) || ev.Mask&syscall.IN_Q_OVERFLOW != 0 {
				select {
				case c <- struct{}{}:
				default:
				}
			}
			off = end
		}
	}
}

func (w *watcher) close() {
	w.f.Close()
	w.wg.Wait()
}
