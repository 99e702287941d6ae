package storetest_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// breakEnv names, in a child test process, the break the memory store
// makes.
const breakEnv = "STORETEST_BREAK"

// TestRunCatches runs the suite on the memory store broken in one way per
// child process: each break must fail the subtest named for it. A suite
// that passed a broken store would verify nothing.
func TestRunCatches(t *testing.T) {
	if os.Getenv(breakEnv) != "" {
		t.Skip("inside a child")
	}
	for _, tt := range []struct{ brk, subtest string }{
		{"no limit", "TestRunMemory/MaxSize"},
		{"torn", "TestRunMemory/RoundTrip"},
		{"same version", "TestRunMemory/Version"},
		{"shared buffer", "TestRunMemory/RoundTrip"},
		{"ignore modtime", "TestRunMemory/SetModTime"},
		{"delete missing", "TestRunMemory/Missing"},
		{"glob", "TestRunMemory/List"},
		{"yield after stop", "TestRunMemory/ListStop"},
		{"ignore ctx", "TestRunMemory/Cancelled"},
		{"no exclusion", "TestRunMemory/Lock/Exclusion"},
		{"unlock any", "TestRunMemory/Lock/UnlockTwice"},
		{"unlock any", "TestRunMemory/Lock/Expired"},
	} {
		t.Run(tt.brk, func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestRunMemory$", "-test.v")
			cmd.Env = append(os.Environ(), breakEnv+"="+tt.brk)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a store that breaks %q:\n%s", tt.brk, out)
			}
			if !strings.Contains(string(out), "--- FAIL: "+tt.subtest+" ") {
				t.Errorf("a store that breaks %q did not fail %s:\n%s", tt.brk, tt.subtest, out)
			}
		})
	}
}
