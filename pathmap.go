package cachetta

import "sync"

// maxPaths bounds each memory that the freshness and failure policies keep
// per path: refresh backoff, computation times for early refresh, and
// remembered errors. A policy that forgets a path loses little: one more
// refresh attempt, no early refresh until the next computation, or one more
// run of the function.
const maxPaths = 10_000

// pathMap maps file paths to values of V for the policies of a cache family.
// It is safe for concurrent use and holds at most maxPaths paths: to make
// room for a new one it forgets an arbitrary other, which map iteration
// picks at random. The zero value is empty and ready to use.
type pathMap[V any] struct {
	mu sync.Mutex // guards m
	m  map[string]V
}

func (p *pathMap[V]) get(path string) (V, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.m[path]
	return v, ok
}

func (p *pathMap[V]) set(path string, v V) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setLocked(path, v)
}

func (p *pathMap[V]) setLocked(path string, v V) {
	if p.m == nil {
		p.m = make(map[string]V)
	}
	if _, ok := p.m[path]; !ok && len(p.m) >= maxPaths {
		for other := range p.m {
			delete(p.m, other)
			break
		}
	}
	p.m[path] = v
}

func (p *pathMap[V]) delete(path string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.m, path)
}

// update replaces the value of path by what f makes of it, or forgets path
// when f says not to keep it, in one step. f runs with the lock held, so it
// must be this package's code, never the user's.
func (p *pathMap[V]) update(path string, f func(v V, ok bool) (V, bool)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	old, ok := p.m[path]
	v, keep := f(old, ok)
	switch {
	case keep:
		p.setLocked(path, v)
	case ok:
		delete(p.m, path)
	}
}

func (p *pathMap[V]) len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.m)
}

// written makes the family forget what its policies knew of the failures of
// path, after a successful write of it: a remembered error, and the refresh
// backoff unless a refresh of the path is still running.
func (s *shared[T]) written(path string) {
	s.errors.delete(path)
	s.backoff.update(path, keepRunning)
}

// invalidated makes the family forget everything its policies knew of path,
// after an Invalidate: its remembered error, its computation time and its
// refresh backoff, unless a refresh of the path is still running.
func (s *shared[T]) invalidated(path string) {
	s.errors.delete(path)
	s.timings.delete(path)
	s.backoff.update(path, keepRunning)
}
