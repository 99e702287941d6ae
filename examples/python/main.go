// Command python reads cache entries that Python's cachetta wrote: for each
// call, the Go cache derives the very file name Python chose (PathFor) and
// reads the JSON that Python's json.dump wrote into it (Read, or a wrapped
// function that hits and never runs). It exits non-zero when an entry is
// missed or a file Python wrote is left unread.
//
// The entries are in testdata/cache, made by testdata/make.py (python3
// make.py rewrites them). The program embeds them and copies them into a
// temporary directory, so it runs from any working directory:
//
//	go run ./examples/python
package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/cachetta-go/cachetta"
)

//go:embed testdata/cache
var pythonFiles embed.FS

// The types of the values the Python functions in make.py return. A
// Python float such as 21.0 decodes into a float64, an int into an int.
type (
	Settings struct {
		Theme    string `json:"theme"`
		PageSize int    `json:"page_size"`
		Beta     bool   `json:"beta"`
	}
	User struct {
		ID    int      `json:"id"`
		Name  string   `json:"name"`
		Email string   `json:"email"`
		Tags  []string `json:"tags"`
	}
	Forecast struct {
		City string `json:"city"`
		Days []struct {
			Day     int     `json:"day"`
			TempC   float64 `json:"temp_c"`
			Summary string  `json:"summary"`
		} `json:"days"`
	}
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "python:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "cachetta-python-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	written, err := copyEntries(filepath.Join(dir, "cache"))
	if err != nil {
		return err
	}
	cache := func(name string) string { return filepath.Join(dir, "cache", name) }

	// Each call as Python made it, and the same call in Go: same path,
	// same arguments, so the same file.
	reads := []struct {
		call string
		read func() (path string, value any, err error)
	}{
		{`settings()`, func() (string, any, error) {
			return read[Settings](ctx, cache("settings.json"))
		}},
		{`get_user(42)`, func() (string, any, error) {
			return read[User](ctx, cache("user.json"), 42)
		}},
		{`search("cachetta", {"limit": 10, "offset": 0})`, func() (string, any, error) {
			// A Go map keys as a Python dict: sorted keys, ints as ints.
			return read[[]string](ctx, cache("search.json"), "cachetta", map[string]int{"limit": 10, "offset": 0})
		}},
		{`price("USD", 19.99)`, func() (string, any, error) {
			// A float64 keys as Python's repr writes the float: 19.99.
			return read[float64](ctx, cache("price.json"), "USD", 19.99)
		}},
	}
	var seen []string
	for _, r := range reads {
		path, v, err := r.read()
		if err != nil {
			return fmt.Errorf("%s: %w", r.call, err)
		}
		seen = append(seen, filepath.Base(path))
		fmt.Printf("%-48s %-32s %+v\n", r.call, filepath.Base(path), v)
	}

	// A wrapped function finds Python's entry fresh and never runs.
	forecasts, err := cachetta.New[Forecast](cache("forecast.json"))
	if err != nil {
		return err
	}
	runs := 0
	forecast := cachetta.Wrap2(forecasts, func(ctx context.Context, city string, days int) (Forecast, error) {
		runs++
		return Forecast{}, errors.New("computed: Python's entry was not found")
	})
	f, err := forecast(ctx, "Lisbon", 3)
	if err != nil {
		return fmt.Errorf(`forecast("Lisbon", 3): %w`, err)
	}
	path, err := forecasts.PathFor("Lisbon", 3)
	if err != nil {
		return err
	}
	seen = append(seen, filepath.Base(path))
	fmt.Printf("%-48s %-32s %+v\n", `forecast("Lisbon", 3), wrapped`, filepath.Base(path), f)

	// Python's spelling, which Go's encoding/json reads as it reads its own.
	raw, err := os.ReadFile(cache("user-08f5e39ca06e5b2b.json"))
	if err != nil {
		return err
	}
	fmt.Printf("user-08f5e39ca06e5b2b.json as json.dump wrote it: %s\n", raw)

	slices.Sort(seen)
	fmt.Printf("%d files written by Python, %d read by Go; the wrapped forecast ran %d times\n",
		len(written), len(seen), runs)
	if !slices.Equal(seen, written) || runs != 0 {
		return fmt.Errorf("read %v of Python's %v, with %d runs; want all, and no run", seen, written, runs)
	}
	return nil
}

// read reads the fresh entry of a call with args on the cache at path, and
// returns its file and value.
func read[T any](ctx context.Context, path string, args ...any) (string, any, error) {
	c, err := cachetta.New[T](path)
	if err != nil {
		return "", nil, err
	}
	file, err := c.PathFor(args...)
	if err != nil {
		return "", nil, err
	}
	v, ok, err := c.Read(ctx, args...)
	if err != nil {
		return "", nil, err
	}
	if !ok {
		return "", nil, fmt.Errorf("miss: Python wrote no %s, or it does not decode as %T", filepath.Base(file), v)
	}
	return file, v, nil
}

// copyEntries writes the embedded files into dir and returns their names,
// sorted. A file written now has a modification time of now, so every entry
// is fresh, whenever make.py wrote it.
func copyEntries(dir string) ([]string, error) {
	entries, err := fs.ReadDir(pythonFiles, "testdata/cache")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		data, err := pythonFiles.ReadFile("testdata/cache/" + e.Name())
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o600); err != nil {
			return nil, err
		}
		names = append(names, e.Name())
	}
	return names, nil // fs.ReadDir sorts by name
}
