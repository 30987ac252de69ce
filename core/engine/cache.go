package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/smearflow/smearflow/core/atomicfile"
	"github.com/smearflow/smearflow/core/plugin"
)

// cacheFormat changes whenever the on-disk artifact encoding or the
// meaning of a cache key changes, invalidating every older entry.
const cacheFormat = "smearflow-cache/1"

// KeyParts are the ingredients of a step's cache key. Two steps with equal
// parts produce the same artifact.
type KeyParts struct {
	Format        string            `json:"format"`
	Kind          string            `json:"kind"`
	Plugin        string            `json:"plugin"`
	PluginVersion string            `json:"plugin_version"`
	Params        json.RawMessage   `json:"params"`
	HostParams    json.RawMessage   `json:"host_params"`
	Seed          int64             `json:"seed"`
	Inputs        []string          `json:"inputs"`  // cache keys of the inputs, in slot order
	Compare       map[string]string `json:"compare"` // fitter comparisons: name -> "version params"
	// Files fingerprints the files named by path parameters (parameter ->
	// fingerprint of every file it matches), so that replacing a data file
	// at the same path changes the key.
	Files map[string]string `json:"files,omitempty"`
	// Export is set for exported metric steps whose artifact depends on
	// it (see keepsMatrixForExport).
	Export bool `json:"export,omitempty"`
}

// Key returns the content address of the parts.
func (k KeyParts) Key() string {
	b, err := json.Marshal(k)
	if err != nil {
		panic(err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Diff explains how k differs from an older set of parts, for `runner plan`.
func (k KeyParts) Diff(old KeyParts) string {
	var why []string
	if k.Format != old.Format {
		why = append(why, "cache format changed")
	}
	if k.Plugin != old.Plugin || k.Kind != old.Kind {
		why = append(why, fmt.Sprintf("plugin changed from %s/%s", old.Kind, old.Plugin))
	} else if k.PluginVersion != old.PluginVersion {
		why = append(why, fmt.Sprintf("plugin version %s → %s", old.PluginVersion, k.PluginVersion))
	}
	if d := diffJSON(old.Params, k.Params); d != "" {
		why = append(why, "parameters changed: "+d)
	}
	if d := diffJSON(old.HostParams, k.HostParams); d != "" {
		why = append(why, "host parameters changed: "+d)
	}
	if k.Seed != old.Seed {
		why = append(why, fmt.Sprintf("seed %d → %d", old.Seed, k.Seed))
	}
	if strings.Join(k.Inputs, ",") != strings.Join(old.Inputs, ",") {
		why = append(why, "an input changed")
	}
	if fmt.Sprint(k.Compare) != fmt.Sprint(old.Compare) {
		why = append(why, "compared fitters changed")
	}
	for _, p := range changedKeys(old.Files, k.Files) {
		why = append(why, fmt.Sprintf("input file changed: %s", p))
	}
	if k.Export != old.Export {
		why = append(why, "export changed (an exported metric step keeps the full matrix)")
	}
	if len(why) == 0 {
		return "entry missing from the cache (cleaned?)"
	}
	return strings.Join(why, "; ")
}

func diffJSON(a, b json.RawMessage) string {
	var ma, mb map[string]any
	json.Unmarshal(a, &ma)
	json.Unmarshal(b, &mb)
	keys := map[string]bool{}
	for k := range ma {
		keys[k] = true
	}
	for k := range mb {
		keys[k] = true
	}
	var names []string
	for k := range keys {
		x, _ := json.Marshal(ma[k])
		y, _ := json.Marshal(mb[k])
		if string(x) != string(y) {
			names = append(names, fmt.Sprintf("%s %s → %s", k, trunc(string(x)), trunc(string(y))))
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// changedKeys returns the sorted keys whose values differ between a and b.
func changedKeys(a, b map[string]string) []string {
	var out []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// fileFingerprints fingerprints the files matched by every path parameter
// of spec set in params: the path, size and modification time of each
// file (not its content, which may be gigabytes). A path that no longer
// matches a file is an error naming the parameter.
func fileFingerprints(spec plugin.Spec, params plugin.Params) (map[string]string, error) {
	var out map[string]string
	for _, ps := range spec {
		if ps.Type != plugin.TypePath {
			continue
		}
		p, _ := params[ps.Name].(string)
		if p == "" {
			continue
		}
		files := []string{p}
		if strings.ContainsAny(p, `*?[`) {
			m, err := filepath.Glob(p)
			if err != nil {
				return nil, fmt.Errorf("parameter %q: %w", ps.Name, err)
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("parameter %q: %s matches no file", ps.Name, p)
			}
			files = m // sorted by Glob
		}
		h := sha256.New()
		for _, f := range files {
			fi, err := os.Stat(f)
			if err != nil {
				return nil, fmt.Errorf("parameter %q: %w", ps.Name, err)
			}
			fmt.Fprintf(h, "%s\x00%d\x00%d\n", f, fi.Size(), fi.ModTime().UnixNano())
		}
		if out == nil {
			out = map[string]string{}
		}
		out[ps.Name] = hex.EncodeToString(h.Sum(nil))
	}
	return out, nil
}

func trunc(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

// Cache is a content-addressed store of step artifacts under a folder:
// objects/<key[:2]>/<key>/ holds one artifact (written atomically as a
// folder), index/<workflow>/<step>.json remembers the last key parts used
// for a step so that a miss can be explained.
type Cache struct {
	Dir string
}

// Path returns the folder of an entry.
func (c *Cache) Path(key string) string {
	return filepath.Join(c.Dir, "objects", key[:2], key)
}

// Has reports whether a complete entry exists.
func (c *Cache) Has(key string) bool {
	if c == nil || c.Dir == "" {
		return false
	}
	_, err := os.Stat(filepath.Join(c.Path(key), "complete"))
	return err == nil
}

// Put stores an entry: fill writes the artifact files into a temporary
// folder that becomes the entry only when complete.
func (c *Cache) Put(key string, parts KeyParts, fill func(dir string) error) error {
	return atomicfile.Dir(c.Path(key), func(tmp string) error {
		if err := fill(tmp); err != nil {
			return err
		}
		b, _ := json.MarshalIndent(parts, "", "  ")
		if err := os.WriteFile(filepath.Join(tmp, "key.json"), b, 0o644); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(tmp, "complete"), nil, 0o644)
	})
}

func (c *Cache) indexPath(workflow, step string) string {
	return filepath.Join(c.Dir, "index", safeName(workflow), safeName(step)+".json")
}

// Remember records the key parts last used for a step.
func (c *Cache) Remember(workflow, step string, parts KeyParts) error {
	b, _ := json.MarshalIndent(parts, "", "  ")
	return atomicfile.WriteBytes(c.indexPath(workflow, step), b)
}

// Last returns the key parts last used for a step, if any.
func (c *Cache) Last(workflow, step string) (KeyParts, bool) {
	var p KeyParts
	b, err := os.ReadFile(c.indexPath(workflow, step))
	if err != nil || json.Unmarshal(b, &p) != nil {
		return p, false
	}
	return p, true
}

// Clean removes what the cache wrote (objects/ and index/) and then the
// folder itself if nothing else is left in it: a cache_dir pointed by
// mistake at a folder holding other files loses none of them.
func (c *Cache) Clean() error {
	if c.Dir == "" {
		return fmt.Errorf("no cache folder set")
	}
	for _, sub := range []string{"objects", "index"} {
		if err := os.RemoveAll(filepath.Join(c.Dir, sub)); err != nil {
			return err
		}
	}
	if err := os.Remove(c.Dir); err != nil && !os.IsNotExist(err) && !isNotEmpty(err) {
		return err
	}
	return nil
}

func isNotEmpty(err error) bool {
	return errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST)
}

func safeName(s string) string {
	r := strings.NewReplacer("/", "_", "\\", "_", ":", "_", " ", "_", "..", "_")
	return r.Replace(s)
}
