package report

import (
	"bytes"
	"image"
	_ "image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"
)

// written holds the synthetic run written once for the tests that only
// read the output (rendering 40+ figures takes a couple of seconds).
var written struct {
	once  sync.Once
	dir   string
	names []string
	err   error
}

func writeSynthetic(t *testing.T) (string, []string) {
	t.Helper()
	written.once.Do(func() {
		written.dir, written.err = os.MkdirTemp("", "report-test-")
		if written.err == nil {
			written.names, written.err = Write(written.dir, syntheticRun())
		}
	})
	if written.err != nil {
		t.Fatal(written.err)
	}
	return written.dir, written.names
}

func TestMain(m *testing.M) {
	code := m.Run()
	if written.dir != "" {
		os.RemoveAll(written.dir)
	}
	os.Exit(code)
}

// parsed is the report.html of a folder as a node tree plus its raw text.
func parseReport(t *testing.T, dir string) (*html.Node, string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("report.html does not parse: %v", err)
	}
	return doc, string(raw)
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return b.String()
}

func findAll(root *html.Node, tag string) []*html.Node {
	var out []*html.Node
	walk(root, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag {
			out = append(out, n)
		}
	})
	return out
}

// sectionByTitle returns the <section> whose <h2> text is title.
func sectionByTitle(doc *html.Node, title string) *html.Node {
	for _, s := range findAll(doc, "section") {
		if h := findAll(s, "h2"); len(h) > 0 && textOf(h[0]) == title {
			return s
		}
	}
	return nil
}

func TestWriteFiles(t *testing.T) {
	dir, names := writeSynthetic(t)
	if len(names) == 0 || names[len(names)-1] != "report.html" {
		t.Fatalf("names = %v, want report.html last", names)
	}
	svg, png := 0, 0
	for _, n := range names {
		st, err := os.Stat(filepath.Join(dir, n))
		if err != nil {
			t.Fatalf("returned file %s: %v", n, err)
		}
		if st.Size() == 0 {
			t.Errorf("%s is empty", n)
		}
		switch filepath.Ext(n) {
		case ".svg":
			svg++
			if _, err := os.Stat(filepath.Join(dir, strings.TrimSuffix(n, ".svg")+".png")); err != nil {
				t.Errorf("%s has no PNG twin: %v", n, err)
			}
		case ".png":
			png++
		}
	}
	if svg != png || svg < 20 {
		t.Errorf("%d SVG and %d PNG files, want equal numbers and at least 20", svg, png)
	}
	// No temporary files left behind by the atomic writes.
	leftovers, _ := filepath.Glob(filepath.Join(dir, "plots", ".*tmp*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestHTMLSections(t *testing.T) {
	dir, _ := writeSynthetic(t)
	doc, _ := parseReport(t, dir)
	for _, title := range []string{
		"Distances: distances", "Distances: emd_distances", "Smearing: smeared", "Smearing: gauss", "Smearing: knn",
		"Smearing: loo_ball (biased: leave-one-out)", "Comparisons", "Extreme values: nearest", "Tagger: tagger", "Relevance: lrp", "Tables", "Provenance",
	} {
		if sectionByTitle(doc, title) == nil {
			t.Errorf("no section %q", title)
		}
	}
	// Every figure has an image that exists, a PNG link and a caption.
	figs := findAll(doc, "figure")
	if len(figs) < 20 {
		t.Fatalf("%d figures, want at least 20", len(figs))
	}
	for _, f := range figs {
		imgs := findAll(f, "img")
		if len(imgs) != 1 {
			t.Fatalf("figure %s has %d images", attr(f, "id"), len(imgs))
		}
		src := attr(imgs[0], "src")
		if !strings.HasPrefix(src, "plots/") || !strings.HasSuffix(src, ".svg") {
			t.Errorf("figure %s: src %q, want plots/*.svg", attr(f, "id"), src)
		}
		if _, err := os.Stat(filepath.Join(dir, src)); err != nil {
			t.Errorf("figure %s: %v", attr(f, "id"), err)
		}
		caps := findAll(f, "figcaption")
		if len(caps) != 1 || len(textOf(caps[0])) < 80 {
			t.Errorf("figure %s: caption missing or too short", attr(f, "id"))
		}
		if !strings.Contains(textOf(caps[0]), "PNG") {
			t.Errorf("figure %s: no PNG link", attr(f, "id"))
		}
	}
	// Table of contents: every link points to an element of the page.
	ids := map[string]bool{}
	walk(doc, func(n *html.Node) {
		if id := attr(n, "id"); id != "" {
			if ids[id] {
				t.Errorf("duplicate id %q", id)
			}
			ids[id] = true
		}
	})
	navs := findAll(doc, "nav")
	if len(navs) != 1 {
		t.Fatalf("%d nav elements, want 1", len(navs))
	}
	links := findAll(navs[0], "a")
	if len(links) < len(figs) {
		t.Errorf("table of contents has %d links for %d figures", len(links), len(figs))
	}
	for _, a := range links {
		if h := attr(a, "href"); !ids[strings.TrimPrefix(h, "#")] {
			t.Errorf("table of contents link %q has no target", h)
		}
	}
	// Self-contained: nothing loaded from the network, no scripts.
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		if n.Data == "script" || n.Data == "link" {
			t.Errorf("unexpected <%s> element", n.Data)
		}
		for _, k := range []string{"src", "href"} {
			if v := attr(n, k); strings.Contains(v, "://") || strings.HasPrefix(v, "//") {
				t.Errorf("<%s %s=%q> loads from the network", n.Data, k, v)
			}
		}
	})
	if len(findAll(doc, "style")) != 1 {
		t.Error("want one inline <style> element")
	}
}

func TestHTMLEscapesText(t *testing.T) {
	dir, _ := writeSynthetic(t)
	doc, raw := parseReport(t, dir)
	for _, bad := range []string{"<script>alert(1)</script>", "<b>bold?</b>", "<not physics>"} {
		if strings.Contains(raw, bad) {
			t.Errorf("raw HTML contains unescaped %q", bad)
		}
		if !strings.Contains(textOf(doc), bad) {
			t.Errorf("text %q is not shown (escaped) on the page", bad)
		}
	}
}

func TestHTMLContent(t *testing.T) {
	dir, _ := writeSynthetic(t)
	doc, _ := parseReport(t, dir)
	tests := []struct {
		section string
		want    []string
	}{
		{"Smearing: loo_ball (biased: leave-one-out)", []string{"biased reference set (leave-one-out)", "0.802"}},
		{"Smearing: smeared", []string{"upward arrows", "ε × ⟨pT⟩ [GeV]", "AUC band", "empty fraction", "Median nearest-neighbour distance = 0.0104"}},
		{"Smearing: knn", []string{"median k-th NN radius"}},
		{"Comparisons", []string{"median distance to the k-th neighbour", "median nearest-neighbour distance", "scan of scan (smearing)", "folds=5", "folds=10"}},
		{"Distances: distances", []string{"quark–gluon", "median", "unit area"}},
		{"Extreme values: nearest", []string{"weibull_min", "ΔAIC", "c = 2.34 ± 0.073", "loc = 0 (fixed)", "no: iteration limit", "scaling ladder", "k = 8.33"}},
		{"Tagger: tagger", []string{"lowlevel", "expert", "both", "training curves"}},
		{"Relevance: lrp", []string{"mass", "expert", "relevance conservation", "reduced feature sets"}},
		{"Provenance", []string{"quark-gluon-smearing", "3f2a9c0e1d7b", "go1.26.8", "/opt/plugins/smearflow-plugin-mlp", `"w_max":"n/a"`, "a1b2c3d4e5f6", "2025-11-25T12:00:00Z"}},
	}
	for _, tc := range tests {
		s := sectionByTitle(doc, tc.section)
		if s == nil {
			t.Errorf("no section %q", tc.section)
			continue
		}
		txt := textOf(s)
		for _, w := range tc.want {
			if !strings.Contains(txt, w) {
				t.Errorf("section %q lacks %q", tc.section, w)
			}
		}
	}
	// The warning of the biased section is a styled alert, not a note.
	s := sectionByTitle(doc, "Smearing: loo_ball (biased: leave-one-out)")
	found := false
	for _, p := range findAll(s, "p") {
		if attr(p, "class") == "warning" && attr(p, "role") == "alert" {
			found = true
		}
	}
	if !found {
		t.Error("biased section has no warning paragraph")
	}
	// The unbiased section has none.
	for _, p := range findAll(sectionByTitle(doc, "Smearing: smeared"), "p") {
		if attr(p, "class") == "warning" {
			t.Error("unbiased section shows a warning")
		}
	}
	// The cache key is cut to 12 characters.
	if strings.Contains(textOf(sectionByTitle(doc, "Provenance")), "a1b2c3d4e5f60718") {
		t.Error("cache key not shortened")
	}
}

func TestPNGSizes(t *testing.T) {
	dir, _ := writeSynthetic(t)
	tests := []struct {
		file string
		w, h int
	}{
		{"smearing-smeared-auc.png", 900, 600},                          // one panel: 6 × 4 in at 150 dpi
		{"smearing-smeared-roc.png", 1350, 600},                         // two panels side by side
		{"extremes-nearest-scaling.png", 900, 1020},                     // two panels stacked
		{"tagger-tagger-training.png", 2025, 600},                       // three panels
		{"relevance-lrp-features.png", 900, int(math.Round(6.0 * DPI))}, // 20 bars: 0.24 × 20 + 1.2 in
	}
	for _, tc := range tests {
		f, err := os.Open(filepath.Join(dir, "plots", tc.file))
		if err != nil {
			t.Error(err)
			continue
		}
		cfg, format, err := image.DecodeConfig(f)
		f.Close()
		if err != nil || format != "png" {
			t.Errorf("%s: format %q, err %v", tc.file, format, err)
			continue
		}
		if cfg.Width != tc.w || cfg.Height != tc.h {
			t.Errorf("%s: %d × %d pixels, want %d × %d", tc.file, cfg.Width, cfg.Height, tc.w, tc.h)
		}
		// The full decode works too.
		f, _ = os.Open(filepath.Join(dir, "plots", tc.file))
		if _, _, err := image.Decode(f); err != nil {
			t.Errorf("%s: %v", tc.file, err)
		}
		f.Close()
	}
	svg, err := os.ReadFile(filepath.Join(dir, "plots", "smearing-smeared-auc.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(svg, []byte("<?xml")) || !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("AUC")) {
		t.Error("SVG does not look like an SVG plot with an AUC label")
	}
}

func TestDeterministic(t *testing.T) {
	// A part of the synthetic run (every plot type but fewer figures, to
	// keep the test fast), written twice from separately built inputs.
	part := func() *Run {
		r := syntheticRun()
		r.Distances, r.Smearing, r.Taggers, r.Relevance = r.Distances[:1], r.Smearing[:1], nil, nil
		return r
	}
	dir1, dir2 := t.TempDir(), t.TempDir()
	names1, err := Write(dir1, part())
	if err != nil {
		t.Fatal(err)
	}
	names2, err := Write(dir2, part())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(names1, ",") != strings.Join(names2, ",") {
		t.Fatal("file lists differ between two writes")
	}
	for _, n := range names1 {
		a, _ := os.ReadFile(filepath.Join(dir1, n))
		b, _ := os.ReadFile(filepath.Join(dir2, n))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two writes of the same run", n)
		}
	}
}
