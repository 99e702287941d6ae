package main

import (
	"strings"
	"testing"
)

// TestKeyAsPython checks the file names of key against those Python's
// cachetta gives for json.loads of the same argument (the keys were
// computed with python3: sha256 of json.dumps({"args": [value], "kwargs":
// {}}, sort_keys=True)).
func TestKeyAsPython(t *testing.T) {
	tests := []struct {
		name, arg, want string
	}{
		{"integer", "42", "user-08f5e39ca06e5b2b.json"},
		{"lone surrogate", `"\ud800"`, "user-216da77100df526c.json"},
		{"replacement character", `"\ufffd"`, "user-ff43774f6b4505e2.json"},
		{"reversed surrogates", `"\udc00\ud800"`, "user-4af8ffd1e024741b.json"},
		{"surrogate pair", `"\ud83d\ude00"`, "user-7c8d0703446b73c0.json"},
		{"lone surrogate as an object key", `{"\ud800":"x","a":"\udfff"}`, "user-a539342549e4169d.json"},
		{"object, sorted", `{"b":1,"a":[1.5,"\u00e9",null,true]}`, "user-00f0b230d9820b16.json"},
		{"non-ASCII", `"é"`, "user-dedf2e6200b9330e.json"},
		{"negative zero", "-0", "user-2276c2dfde57b823.json"},
		{"float with an exponent", "1e16", "user-9b09a7c92dc6f9f9.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"key", "user.json", "--", tt.arg}
			if r := command(t, "", args...); r.code != 0 || r.stdout != tt.want+"\n" {
				t.Errorf("cachetta %q = %d, %q, %q; want %q", args, r.code, r.stdout, r.stderr, tt.want)
			}
		})
	}
}

// TestKeyRefusesWhatIsNotJSON: an argument that is not JSON gets a message
// that says so in the user's words and shows what to type.
func TestKeyRefusesWhatIsNotJSON(t *testing.T) {
	tests := []struct {
		name, arg, want string
	}{
		{"word", "hello", `cachetta: key: argument hello is not JSON; for the string, type '"hello"'` + "\n"},
		{"words", "hello world", `cachetta: key: argument 'hello world' is not JSON; for the string, type '"hello world"'` + "\n"},
		{"quote", "it's", `cachetta: key: argument 'it'\''s' is not JSON; for the string, type '"it'\''s"'` + "\n"},
		{"empty", "", `cachetta: key: argument '' is not JSON; for the string, type '""'` + "\n"},
		{"control character", "a\x1bb", `cachetta: key: argument 'a'$'\033''b' is not JSON; for the string, type '"a\u001bb"'` + "\n"},
		{"unfinished object", `{"a":1`, `cachetta: key: argument '{"a":1' is not valid JSON: it ends too early; for the string, type '"{\"a\":1"'` + "\n"},
		{"bad object", `{a:1}`, `cachetta: key: argument '{a:1}' is not valid JSON: unexpected 'a' at byte 2; for the string, type '"{a:1}"'` + "\n"},
		{"two values", `1 "a b"`, `cachetta: key: argument '1 "a b"' is not one JSON value but 2; pass each as an argument of its own, or type '[1, "a b"]' for a list` + "\n"},
		{"invalid UTF-8", "\"\xff\"", `cachetta: key: argument '"'$'\377''"' is not valid UTF-8, so not JSON` + "\n"},
		{"beyond a float", "1e400", "cachetta: key: argument 1e400 cannot be keyed: value out of range\n"},
		{"nested too deeply", strings.Repeat("[", 2000) + strings.Repeat("]", 2000), "cachetta: key: argument 1 cannot be keyed: nested too deeply\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := command(t, "", "key", "user.json", "--", tt.arg)
			if r.code != 1 || r.stderr != tt.want || r.stdout != "" {
				t.Errorf("cachetta key user.json -- %q = %d, %q, %q; want 1 and %q", tt.arg, r.code, r.stdout, r.stderr, tt.want)
			}
		})
	}
}
