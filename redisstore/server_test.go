package redisstore_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// requireEnv, set to 1 (as .ci/run does), turns a missing redis-server
// from a skip into a failure.
const requireEnv = "CACHETTA_REQUIRE_REDIS"

// server is a redis-server the test started, on a loopback port of its
// own, in a directory of its own, with persistence off.
type server struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// startServer starts a redis-server for t and stops it at t's end. It
// skips t when there is none, unless requireEnv says one must be.
func startServer(t testing.TB) *server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv(requireEnv) == "1" {
			t.Fatalf("redis-server not found on PATH and %s=1: %v", requireEnv, err)
		}
		t.Skipf("redis-server not found on PATH (apt-get install redis-server, or set %s=1 to fail instead)", requireEnv)
	}
	s := &server{t: t, bin: bin, dir: t.TempDir()}
	t.Cleanup(s.stop)
	// A port found free may be taken before the server binds it: another
	// port then.
	for range 3 {
		s.port = freePort(t)
		if err := s.start(); err == nil {
			return s
		} else {
			t.Logf("redis-server on port %d: %v", s.port, err)
		}
	}
	t.Fatal("redis-server did not start")
	return nil
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (s *server) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// start runs redis-server on s.port and returns once it answers PING.
func (s *server) start() error {
	s.cmd = exec.Command(s.bin,
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir,
		"--logfile", filepath.Join(s.dir, "redis.log"))
	if err := s.cmd.Start(); err != nil {
		return err
	}
	s.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		_ = cmd.Wait()
		close(done)
	}(s.cmd, s.done)
	c := redis.NewClient(&redis.Options{Addr: s.addr(), MaxRetries: -1, DialTimeout: time.Second})
	defer c.Close()
	// Poll, bounded: the server has no other way to say it listens.
	for range 500 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-s.done:
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			return fmt.Errorf("exited before answering PING: %s", log)
		case <-time.After(10 * time.Millisecond):
		}
	}
	s.stop()
	return fmt.Errorf("no PONG from %s", s.addr())
}

// stop ends the server and waits for it to exit.
func (s *server) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// restart starts the server again on the same port after a stop.
func (s *server) restart() {
	s.t.Helper()
	if err := s.start(); err != nil {
		s.t.Fatalf("restart redis-server on %s: %v", s.addr(), err)
	}
}

// client returns a client of the server, closed at t's end.
func (s *server) client(t testing.TB) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.addr()})
	t.Cleanup(func() { c.Close() })
	return c
}
