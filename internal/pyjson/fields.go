package pyjson

import (
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode"
)

var (
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	numberType        = reflect.TypeFor[json.Number]()
)

// fieldByIndex follows index through embedded structs; ok is false when it
// passes a nil embedded pointer, whose fields encoding/json leaves out.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// isZero reports whether v is zero for the "omitzero" option: by its IsZero
// method when it has one, as encoding/json decides.
func isZero(v reflect.Value) bool {
	t := v.Type()
	switch {
	case !v.CanInterface():
		// A tagged embedded struct of unexported type, whose methods
		// reflection cannot call (encoding/json panics on it).
		return v.IsZero()
	case t.Kind() == reflect.Interface && t.Implements(isZeroerType):
		return v.IsNil() || v.Elem().Kind() == reflect.Pointer && v.Elem().IsNil() ||
			v.Interface().(isZeroer).IsZero()
	case t.Kind() == reflect.Pointer && t.Implements(isZeroerType):
		return v.IsNil() || v.Interface().(isZeroer).IsZero()
	case t.Implements(isZeroerType):
		return v.Interface().(isZeroer).IsZero()
	case reflect.PointerTo(t).Implements(isZeroerType):
		if !v.CanAddr() {
			c := reflect.New(t).Elem()
			c.Set(v)
			v = c
		}
		return v.Addr().Interface().(isZeroer).IsZero()
	}
	return v.IsZero()
}

type isZeroer interface{ IsZero() bool }

var isZeroerType = reflect.TypeFor[isZeroer]()

func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// marshalerOf returns the value whose method encoding/json calls to encode v,
// in its order: MarshalJSON before MarshalText, each on v's address when v is
// addressable and only the pointer has the method.
func marshalerOf(v reflect.Value) (reflect.Value, bool) {
	switch marshalingOf(v.Type()) {
	case byValue:
		return v, true
	case byAddress:
		if v.CanAddr() {
			return v.Addr(), true
		}
	case byAddressOrValue:
		if v.CanAddr() {
			return v.Addr(), true
		}
		return v, true
	}
	return reflect.Value{}, false
}

// marshaling says how encoding/json finds the marshaler of a type.
type marshaling uint8

const (
	noMarshaler      marshaling = iota
	byValue                     // the type has the method
	byAddress                   // only a pointer to it has the method
	byAddressOrValue            // a pointer has a method that comes first, the type a later one
)

var marshalings sync.Map // reflect.Type -> marshaling

// marshalingOf works out, once per type, which method encoding/json calls:
// MarshalJSON before MarshalText, each on the address first.
func marshalingOf(t reflect.Type) marshaling {
	if m, ok := marshalings.Load(t); ok {
		return m.(marshaling)
	}
	m := noMarshaler
	switch {
	case t.Implements(jsonMarshalerType):
		m = byValue
	case t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(jsonMarshalerType):
		// Without an address, encoding/json falls back to a MarshalText.
		m = byAddress
		if t.Implements(textMarshalerType) {
			m = byAddressOrValue
		}
	case t.Implements(textMarshalerType):
		m = byValue
	case t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(textMarshalerType):
		m = byAddress
	}
	marshalings.Store(t, m)
	return m
}

// field is a struct field as encoding/json sees it.
type field struct {
	name      string
	index     []int
	tagged    bool
	omitEmpty bool
	omitZero  bool
	quoted    bool // the ",string" option
}

var fieldCache sync.Map // reflect.Type -> []field

// fieldsOf returns the fields encoding/json writes for struct type t, sorted
// by name as Python's sort_keys orders them.
func fieldsOf(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
	fields := typeFields(t)
	fieldCache.Store(t, fields)
	return fields
}

var fieldOrders sync.Map // reflect.Type -> []field

// fieldsInOrder returns the fields encoding/json writes for struct type t,
// in the order it writes them: by their index sequence.
func fieldsInOrder(t reflect.Type) []field {
	if f, ok := fieldOrders.Load(t); ok {
		return f.([]field)
	}
	fields := slices.Clone(fieldsOf(t))
	slices.SortFunc(fields, func(a, b field) int { return slices.Compare(a.index, b.index) })
	fieldOrders.Store(t, fields)
	return fields
}

// typeFields follows encoding/json's rules: exported fields, json tag names,
// "-" skipped, untagged embedded structs promoted (tagged ones are fields,
// even of an unexported type), and of several fields with one name the
// shallowest wins, a tagged one breaking a tie, none when still tied (as when
// one struct is embedded twice at one depth).
func typeFields(t reflect.Type) []field {
	type embedded struct {
		typ   reflect.Type
		index []int
	}
	var fields []field
	hidden := map[string]bool{}        // names decided at a shallower depth
	visited := map[reflect.Type]bool{} // embedded types already expanded
	next := []embedded{{typ: t}}
	for len(next) > 0 {
		current := next
		next = nil
		count := map[reflect.Type]int{} // embeddings of each type at this depth
		for _, e := range current {
			count[e.typ]++
		}
		byName := map[string][]field{}
		for _, e := range current {
			if visited[e.typ] {
				continue
			}
			visited[e.typ] = true
			for i := range e.typ.NumField() {
				sf := e.typ.Field(i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if !sf.IsExported() && !(sf.Anonymous && ft.Kind() == reflect.Struct) {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !isValidTag(name) {
					name = ""
				}
				index := append(slices.Clip(e.index), i)
				if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
					next = append(next, embedded{typ: ft, index: index})
					continue
				}
				f := field{name: name, index: index, tagged: name != ""}
				if name == "" {
					f.name = sf.Name
				}
				for opt := range strings.SplitSeq(opts, ",") {
					switch opt {
					case "omitempty":
						f.omitEmpty = true
					case "omitzero":
						f.omitZero = true
					case "string":
						switch ft.Kind() {
						case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
							reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
							reflect.Float32, reflect.Float64, reflect.String:
							f.quoted = true
						}
					}
				}
				byName[f.name] = append(byName[f.name], f)
				if count[e.typ] > 1 {
					// A type embedded twice at one depth makes its fields
					// ambiguous, as two fields of one name would.
					byName[f.name] = append(byName[f.name], f)
				}
			}
		}
		for name, candidates := range byName {
			if hidden[name] {
				continue
			}
			hidden[name] = true
			if f, ok := dominant(candidates); ok {
				fields = append(fields, f)
			}
		}
	}
	slices.SortFunc(fields, func(a, b field) int { return strings.Compare(a.name, b.name) })
	return fields
}

// isValidTag reports whether encoding/json takes name from a tag; it uses the
// Go field name instead of other names.
func isValidTag(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		if !strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c) && !unicode.IsLetter(c) && !unicode.IsDigit(c) {
			return false
		}
	}
	return true
}

// dominant picks the one field of a name at one depth: the only one, or the
// only tagged one.
func dominant(candidates []field) (field, bool) {
	if len(candidates) == 1 {
		return candidates[0], true
	}
	var tagged []field
	for _, f := range candidates {
		if f.tagged {
			tagged = append(tagged, f)
		}
	}
	if len(tagged) == 1 {
		return tagged[0], true
	}
	return field{}, false
}
