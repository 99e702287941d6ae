package storage

import (
	"path/filepath"
	"strings"
)

// KeyedName inserts "-key" before the extension of path's last element,
// which is found as Python's pathlib finds a suffix: after the last dot,
// unless the dot starts or ends the name. It is how an entry with
// arguments is named beside the cache's path.
func KeyedName(path, key string) string {
	dir, name := filepath.Split(filepath.Clean(path))
	stem, suffix := name, ""
	if i := strings.LastIndexByte(name, '.'); i > 0 && i < len(name)-1 {
		stem, suffix = name[:i], name[i:]
	}
	return dir + stem + "-" + key + suffix
}

// IsEntryName reports whether name is entryName or a keyed form of it,
// stem-<16 lowercase hex digits>suffix, as KeyedName makes them.
func IsEntryName(name, entryName string) bool {
	if name == entryName {
		return true
	}
	keyed := KeyedName(entryName, "0000000000000000")
	stemLen := strings.LastIndex(keyed, "-0000000000000000") + 1
	if len(name) != len(keyed) || name[:stemLen] != keyed[:stemLen] || name[stemLen+16:] != keyed[stemLen+16:] {
		return false
	}
	return IsHex(name[stemLen : stemLen+16])
}

// IsEntryNamePrefix reports whether s begins entryName or one of its keyed
// forms, as a name cut to fit a longer one does.
func IsEntryNamePrefix(s, entryName string) bool {
	if strings.HasPrefix(entryName, s) {
		return true
	}
	keyed := KeyedName(entryName, "0000000000000000")
	stemLen := strings.LastIndex(keyed, "-0000000000000000") + 1
	if len(s) > len(keyed) {
		return false
	}
	for i := range len(s) {
		if stemLen <= i && i < stemLen+16 {
			if !IsHex(s[i : i+1]) {
				return false
			}
		} else if s[i] != keyed[i] {
			return false
		}
	}
	return true
}

// IsHex reports whether s is made of lowercase hex digits only.
func IsHex(s string) bool {
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

// EntryExt returns the extension of the entries of a cache at path: that
// of its last element, or .json, the family's, when it has none.
func EntryExt(path string) string {
	if ext := filepath.Ext(path); ext != "" && ext != filepath.Base(path) {
		return ext
	}
	return ".json"
}
