package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// requireEnv, set to 1 (as .ci/run does), turns a missing redis-server
// or redis-cli from a skip into a failure.
const requireEnv = "CACHETTA_REQUIRE_REDIS"

// serverWait bounds the start of a server or a cluster, and every wait for
// a cluster to agree on something.
const serverWait = 30 * time.Second

// lookRedis returns the paths of the Redis programs named, skipping tb
// when one is missing, unless requireEnv says they must be there.
func lookRedis(tb testing.TB, names ...string) []string {
	tb.Helper()
	paths := make([]string, len(names))
	for i, name := range names {
		p, err := exec.LookPath(name)
		if err != nil {
			if os.Getenv(requireEnv) == "1" {
				tb.Fatalf("%s not found on PATH and %s=1: %v", name, requireEnv, err)
			}
			tb.Skipf("%s not found on PATH (apt-get install redis-server, or set %s=1 to fail instead)", name, requireEnv)
		}
		paths[i] = p
	}
	return paths
}

// server is a redis-server the tests started, on a loopback port of its
// own, in a directory of its own, with persistence off.
type server struct {
	bin     string
	dir     string
	port    int
	busPort int // the cluster bus's port; 0 for a server outside a cluster
	cmd     *exec.Cmd
	done    chan struct{} // closed when cmd has exited
}

// replPassword is the password of the user "repl" that every cluster node
// has and its replicas log in as, so that a test can cut a replica off
// its master by changing the replica's masterauth (see cutReplica).
const replPassword = "repl-secret"

// startServer starts a redis-server for t and stops it at t's end. It
// skips t when there is none, unless requireEnv says one must be.
func startServer(t testing.TB) *server {
	t.Helper()
	s := &server{bin: lookRedis(t, "redis-server")[0], dir: t.TempDir()}
	t.Cleanup(s.stop)
	if err := s.startOnFreePort(false); err != nil {
		t.Fatal(err)
	}
	return s
}

// startOnFreePort starts s on ports found free, the cluster bus's too when
// cluster is set. A port found free may be taken before the server binds
// it: other ports then.
func (s *server) startOnFreePort(cluster bool) error {
	var errs []error
	for range 3 {
		ports, err := freePorts(2)
		if err != nil {
			return err
		}
		s.port = ports[0]
		if cluster {
			s.busPort = ports[1]
		}
		if err := s.start(); err != nil {
			errs = append(errs, fmt.Errorf("port %d: %w", s.port, err))
			continue
		}
		return nil
	}
	return fmt.Errorf("redis-server did not start: %w", errors.Join(errs...))
}

// freePorts returns n loopback ports free at the time of the call, all
// different: each is held until all are found.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("listen: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func (s *server) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// start runs redis-server on s.port and returns once it answers PING.
func (s *server) start() error {
	args := []string{
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir,
		"--logfile", filepath.Join(s.dir, "redis.log"),
	}
	if s.busPort != 0 {
		args = append(args,
			"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			"--cluster-port", strconv.Itoa(s.busPort),
			// Long enough that a loaded machine does not mark a node
			// failed; the tests' failovers are manual and need no timeout.
			"--cluster-node-timeout", "5000",
			// A replica's full sync starts at once rather than after 5 s,
			// and its offset, until which the other nodes take it for
			// loading, moves within a second rather than ten.
			"--repl-diskless-sync-delay", "0", "--repl-ping-replica-period", "1",
			"--user", "repl", "on", ">"+replPassword, "~*", "&*", "+@all",
			"--masteruser", "repl", "--masterauth", replPassword)
	}
	s.cmd = exec.Command(s.bin, args...)
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
			s.stop()
			return fmt.Errorf("exited before answering PING: %s", s.log())
		case <-time.After(10 * time.Millisecond):
		}
	}
	s.stop()
	return fmt.Errorf("no PONG from %s", s.addr())
}

// log returns what the server logged.
func (s *server) log() string {
	log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	return string(log)
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
func (s *server) restart(t testing.TB) {
	t.Helper()
	if err := s.start(); err != nil {
		t.Fatalf("restart redis-server on %s: %v", s.addr(), err)
	}
}

// client returns a client of the server, closed at t's end.
func (s *server) client(t testing.TB) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.addr()})
	t.Cleanup(func() { c.Close() })
	return c
}

func (s *server) topology() topology { return topology{addrs: []string{s.addr()}} }

// cluster is a Redis Cluster the tests started from redis-servers on
// loopback ports, created with redis-cli --cluster create.
type cluster struct {
	nodes []*server
}

// newCluster starts a cluster of masters masters with replicas replicas
// each, its nodes' files below dir, and returns once every node agrees on
// the slots and every replica is in sync.
func newCluster(dir string, masters, replicas int) (c *cluster, err error) {
	bins, err := findRedis("redis-server", "redis-cli")
	if err != nil {
		return nil, err
	}
	c = &cluster{}
	defer func() {
		if err != nil {
			c.stop()
		}
	}()
	for i := range masters * (1 + replicas) {
		s := &server{bin: bins[0], dir: filepath.Join(dir, strconv.Itoa(i))}
		if err := os.Mkdir(s.dir, 0o700); err != nil {
			return nil, err
		}
		c.nodes = append(c.nodes, s)
		if err := s.startOnFreePort(true); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), serverWait)
	defer cancel()
	args := append([]string{"--cluster", "create"}, c.addrs()...)
	args = append(args, "--cluster-replicas", strconv.Itoa(replicas), "--cluster-yes")
	if out, err := exec.CommandContext(ctx, bins[1], args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("redis-cli --cluster create: %w\n%s", err, out)
	}
	if err := c.waitReady(ctx, replicas); err != nil {
		return nil, fmt.Errorf("cluster of %d nodes not ready: %w", len(c.nodes), err)
	}
	return c, nil
}

// findRedis is lookRedis for code without a test: an error for a missing
// program.
func findRedis(names ...string) ([]string, error) {
	paths := make([]string, len(names))
	for i, name := range names {
		p, err := exec.LookPath(name)
		if err != nil {
			return nil, err
		}
		paths[i] = p
	}
	return paths, nil
}

// startCluster starts a cluster for t alone, stopped at its end: for a
// test that changes the cluster itself.
func startCluster(t testing.TB, masters, replicas int) *cluster {
	t.Helper()
	lookRedis(t, "redis-server", "redis-cli")
	c, err := newCluster(t.TempDir(), masters, replicas)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.stop)
	return c
}

// waitReady waits until every node says the cluster is ok and knows each
// master and its replicas online, and every replica is connected to its
// master: a failover needs the other masters' votes, which they give only
// to a replica they know.
func (c *cluster) waitReady(ctx context.Context, replicas int) error {
	clients := make([]*redis.Client, len(c.nodes))
	for i, s := range c.nodes {
		clients[i] = redis.NewClient(&redis.Options{Addr: s.addr()})
		defer clients[i].Close()
	}
	return poll(ctx, func() (string, bool) {
		for i, rc := range clients {
			info, err := rc.ClusterInfo(ctx).Result()
			if err != nil || !strings.Contains(info, "cluster_state:ok") {
				return fmt.Sprintf("node %s: cluster state not ok: %v", c.nodes[i].addr(), err), false
			}
			shards, err := rc.ClusterShards(ctx).Result()
			if err != nil {
				return fmt.Sprintf("node %s: CLUSTER SHARDS: %v", c.nodes[i].addr(), err), false
			}
			for _, sh := range shards {
				online := 0
				for _, n := range sh.Nodes {
					if n.Health == "online" {
						online++
					}
				}
				if len(sh.Slots) > 0 && online != 1+replicas {
					return fmt.Sprintf("node %s sees %d nodes online for slots %v", c.nodes[i].addr(), online, sh.Slots), false
				}
			}
			if role, _ := roleOf(ctx, rc); role == "slave" && !linkUp(ctx, rc) {
				return fmt.Sprintf("replica %s not connected to its master", c.nodes[i].addr()), false
			}
		}
		return "", true
	})
}

// poll calls ready until it reports true or ctx is done, and then returns
// an error with ready's last word. A cluster has no way to tell a client
// that its state changed, so the tests that wait on one poll, bounded.
func poll(ctx context.Context, ready func() (why string, ok bool)) error {
	for {
		why, ok := ready()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %s", ctx.Err(), why)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// roleOf returns what ROLE says a node is: "master" or "slave".
func roleOf(ctx context.Context, c *redis.Client) (string, error) {
	role, err := c.Do(ctx, "ROLE").Slice()
	if err != nil {
		return "", err
	}
	if len(role) == 0 {
		return "", errors.New("empty ROLE reply")
	}
	s, _ := role[0].(string)
	return s, nil
}

// linkUp reports whether the replica c is connected to its master, as
// INFO replication says.
func linkUp(ctx context.Context, c *redis.Client) bool {
	info, err := c.Info(ctx, "replication").Result()
	return err == nil && strings.Contains(info, "master_link_status:up")
}

func (c *cluster) addrs() []string {
	addrs := make([]string, len(c.nodes))
	for i, s := range c.nodes {
		addrs[i] = s.addr()
	}
	return addrs
}

// stop ends every node.
func (c *cluster) stop() {
	for _, s := range c.nodes {
		s.stop()
	}
}

func (c *cluster) topology() topology { return topology{addrs: c.addrs(), cluster: true} }

// shared is the cluster that the tests of one test binary share: started
// by the first that asks for it, so that a run of tests needing none
// starts none, and stopped by TestMain. Each test keeps to keys of its own
// prefix.
var shared struct {
	once    sync.Once
	dir     string
	cluster *cluster
	err     error
}

// sharedCluster returns the shared cluster, three masters without
// replicas, starting it on the first call.
func sharedCluster(t testing.TB) *cluster {
	t.Helper()
	lookRedis(t, "redis-server", "redis-cli")
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "redisstore-cluster-")
		if shared.err == nil {
			shared.cluster, shared.err = newCluster(shared.dir, 3, 0)
		}
	})
	if shared.err != nil {
		t.Fatalf("starting the shared cluster: %v", shared.err)
	}
	return shared.cluster
}

func TestMain(m *testing.M) {
	m.Run()
	if shared.cluster != nil {
		shared.cluster.stop()
	}
	if shared.dir != "" {
		_ = os.RemoveAll(shared.dir)
	}
}

// A topology is where a test's stores live: one server, or a cluster.
type topology struct {
	addrs   []string // the server's address, or the cluster's nodes'
	cluster bool
}

// newClient returns a client of the topology, as a user's program would
// make it.
func (tp topology) newClient() redis.UniversalClient {
	return redis.NewUniversalClient(&redis.UniversalOptions{Addrs: tp.addrs, IsClusterMode: tp.cluster})
}

// client is newClient, closed at t's end.
func (tp topology) client(t testing.TB) redis.UniversalClient {
	c := tp.newClient()
	t.Cleanup(func() { c.Close() })
	return c
}

// forEachTopology runs f as two subtests: "single" on a server of its own,
// "cluster" on the shared cluster.
func forEachTopology(t *testing.T, f func(t *testing.T, tp topology)) {
	t.Run("single", func(t *testing.T) { f(t, startServer(t).topology()) })
	t.Run("cluster", func(t *testing.T) { f(t, sharedCluster(t).topology()) })
}
