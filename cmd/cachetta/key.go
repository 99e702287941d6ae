package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/cachetta-go/cachetta"
)

const keyHelp = `Print the file that a call with the arguments ARG... uses in the cache
NAME.json: NAME-<key>.json, with the key every member of the Cachetta family
derives. Each ARG is one JSON value (42, 1.5, "text", [1,2], {"a":1}); numbers
without '.' or an exponent are integers. With no ARG it prints NAME.json. Put
"--" before arguments that start with "-".`

func runKey(e env, args []string) error {
	fs := e.flagSet("key", "NAME.json [ARG...]", keyHelp)
	args, err := fs.parse(args, 1, -1)
	if err != nil {
		return err
	}
	values := make([]any, 0, len(args)-1)
	for _, arg := range args[1:] {
		v, err := parseJSON(arg)
		if err != nil {
			return fmt.Errorf("cachetta: key: argument %s: %w", arg, err)
		}
		values = append(values, v)
	}
	c, err := open(args[0], cachetta.DefaultDuration, 0)
	if err != nil {
		return err
	}
	path, err := c.PathFor(values...)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, path)
	return nil
}

// parseJSON returns the one JSON value in s, with numbers as json.Number so
// that 42 keys as the integer it is.
func parseJSON(s string) (any, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("not one JSON value")
	}
	return v, nil
}
