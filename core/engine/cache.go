package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/smearflow/smearflow/core/atomicfile"
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
	Compare       map[string]string `json:"compare"` // fitter comparisons: name -> version
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

// Clean removes the whole cache.
func (c *Cache) Clean() error { return os.RemoveAll(c.Dir) }

func safeName(s string) string {
	r := strings.NewReplacer("/", "_", "\\", "_", ":", "_", " ", "_", "@", "@", "..", "_")
	return r.Replace(s)
}
