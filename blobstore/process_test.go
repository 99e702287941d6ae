package blobstore_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// A process is a server program the tests run on loopback ports, with its
// output in a log file of its own.
type process struct {
	cmd  *exec.Cmd
	log  string
	done chan struct{} // closed when cmd has exited
}

// readyWithin bounds the wait for a server to answer: SeaweedFS starts four
// servers and on a loaded 2-core machine takes seconds.
const readyWithin = 2 * time.Minute

// startProcess runs bin with args, its output going to log, and returns
// once ready reports nil. It fails when the process exits first or ready
// keeps failing for readyWithin.
func startProcess(name, log, bin string, args []string, ready func(context.Context) error) (*process, error) {
	out, err := os.Create(log)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	defer out.Close() // the child has its own descriptor
	p := &process{cmd: exec.Command(bin, args...), log: log, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = out, out
	p.cmd.SysProcAttr = childAttr()
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.done)
	}()
	deadline := time.Now().Add(readyWithin)
	// Poll, bounded: these servers have no other way to say they listen.
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := ready(ctx)
		cancel()
		if err == nil {
			return p, nil
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("%s did not answer within %v: %w%s", name, readyWithin, err, p.tail())
		}
		select {
		case <-p.done:
			return nil, fmt.Errorf("%s exited before answering: %w%s", name, err, p.tail())
		case <-tick.C:
		}
	}
}

// stop kills the process and waits for it to exit. The tests keep nothing a
// graceful stop would save, and SeaweedFS's takes ten seconds.
func (p *process) stop() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// tail returns the end of the process's output, for an error; its log is
// removed with the server's directory.
func (p *process) tail() string {
	data, err := os.ReadFile(p.log)
	if err != nil || len(data) == 0 {
		return " (no output)"
	}
	const keep = 2000
	if len(data) > keep {
		data = data[len(data)-keep:]
	}
	return "; the end of its output:\n" + string(data)
}

// freePorts returns n distinct loopback ports that were free a moment ago.
// Another program may take one before the server binds it; callers retry.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		// Held open until all are found, so that no port comes twice.
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// startOnFreePorts starts a server through start on fresh free ports, up to
// three times, since a port found free may be taken before the server binds
// it.
func startOnFreePorts(n int, start func(ports []int) (*process, error)) (*process, error) {
	var errs []error
	for range 3 {
		ports, err := freePorts(n)
		if err != nil {
			return nil, err
		}
		p, err := start(ports)
		if err == nil {
			return p, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

// tempDir makes a directory for a server shared by the tests, which
// t.TempDir cannot give since it outlives every test; the server's stop
// removes it.
func tempDir(name string) (string, error) {
	dir, err := os.MkdirTemp("", "cachetta-"+name+"-")
	if err != nil {
		return "", fmt.Errorf("start %s: %w", name, err)
	}
	return dir, nil
}

func loopback(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }
