package web

import (
	"strings"
	"testing"
)

// FuzzLocalPath: the sign-in and language links' ?next= and ?back= never
// send the user to another site. Browsers drop tabs and newlines from a
// URL and read a backslash as a slash, so the check does too.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/lessons", "//evil.example", "/\\evil.example", "https://evil.example", "/\t/evil.example", "/%2F%2Fevil", ""} {
		f.Add(s)
	}
	browser := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/")
	f.Fuzz(func(t *testing.T, next string) {
		got := browser.Replace(localPath(next))
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") {
			t.Fatalf("localPath(%q) = %q leaves the site", next, localPath(next))
		}
	})
}
