package cachetta_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cachetta-go/cachetta"
)

func ExamplePythonJSON() {
	dir, cleanup := tempDir()
	defer cleanup()
	type point struct {
		X, Y  float64
		Label string `json:"label"`
	}
	ctx := context.Background()
	points := cachetta.Must(cachetta.New[point](filepath.Join(dir, "point.json"), cachetta.WithCodec(cachetta.PythonJSON)))
	points.Write(ctx, point{X: 3, Y: 0.5, Label: "café"})
	data, _ := os.ReadFile(points.Path())
	fmt.Println(string(data))
	p, ok, _ := points.Read(ctx)
	fmt.Println(p, ok)
	// Output:
	// {"X": 3.0, "Y": 0.5, "label": "caf\u00e9"}
	// {3 0.5 café} true
}

// lineCodec is JSON that decodes large files with a json.Decoder, refusing
// trailing data as json.Unmarshal does.
type lineCodec struct{}

func (lineCodec) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (lineCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
func (lineCodec) UnmarshalRead(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("trailing data after the value")
	}
	return nil
}

func ExampleStreamUnmarshaler() {
	var _ cachetta.StreamUnmarshaler = lineCodec{}
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	big := cachetta.Must(cachetta.New[[]int](filepath.Join(dir, "big.json"), cachetta.WithCodec(lineCodec{})))
	big.Write(ctx, make([]int, 1<<20)) // 2 MiB of JSON, decoded as it is read
	v, ok, _ := big.Read(ctx)
	fmt.Println(len(v), ok)
	data, _ := os.ReadFile(big.Path())
	os.WriteFile(big.Path(), append(data, " [1]"...), 0o600) // trailing data: a miss
	_, ok, _ = big.Read(ctx)
	fmt.Println(ok)
	// Output:
	// 1048576 true
	// false
}
