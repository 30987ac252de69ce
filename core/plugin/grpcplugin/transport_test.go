package grpcplugin

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	goplugin "github.com/hashicorp/go-plugin"
	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	pb "github.com/smearflow/smearflow/core/plugin/proto"
	"google.golang.org/protobuf/proto"
)

func TestChunking(t *testing.T) {
	for _, size := range []int{0, 1, ChunkSize - 3, ChunkSize, 5*ChunkSize/2 + 7} {
		payload := bytes.Repeat([]byte{0xab}, size)
		msg := &pb.Model{Format: "x", Data: payload}
		var frames []*pb.Frame
		s := &frameSender{send: func(f *pb.Frame) error { frames = append(frames, f); return nil }}
		if err := s.message(msg, &pb.Frame{Plugin: "metric/x", Method: methodBlock}); err != nil {
			t.Fatal(err)
		}
		wantFrames := max(1, (proto.Size(msg)+ChunkSize-1)/ChunkSize)
		if len(frames) != wantFrames || frames[0].Plugin != "metric/x" || frames[0].Size != uint64(proto.Size(msg)) {
			t.Fatalf("size %d: %d frames (want %d), head %v/%d", size, len(frames), wantFrames, frames[0].Plugin, frames[0].Size)
		}
		var asm assembler
		var got []byte
		for i, f := range frames {
			if len(f.Chunk) > ChunkSize || f.Last != (i == len(frames)-1) {
				t.Fatalf("size %d: frame %d has %d bytes, last=%v", size, i, len(f.Chunk), f.Last)
			}
			m, done, err := asm.add(f)
			if err != nil {
				t.Fatal(err)
			}
			if done {
				got = m
			}
		}
		var back pb.Model
		if err := proto.Unmarshal(got, &back); err != nil || !bytes.Equal(back.Data, payload) {
			t.Fatalf("size %d: reassembly failed (%v)", size, err)
		}
	}
	// Inconsistent sizes are protocol errors, not panics.
	bad := []struct {
		frames []*pb.Frame
		want   string
	}{
		{[]*pb.Frame{{Chunk: []byte("abc"), Last: true, Size: 2}}, "2 bytes announced, 3 received"},
		{[]*pb.Frame{{Chunk: []byte("ab"), Size: 3}, {Chunk: []byte("cd"), Last: true}}, "longer than the 3 bytes announced"},
		{[]*pb.Frame{{Chunk: []byte("ab"), Size: 5}, {Chunk: []byte("c"), Last: true}}, "5 bytes announced, 3 received"},
		{[]*pb.Frame{{Size: 1 << 40}}, "exceeds 2 GiB"},
	}
	for _, b := range bad {
		var asm assembler
		var err error
		for _, f := range b.frames {
			if _, _, err = asm.add(f); err != nil {
				break
			}
		}
		if !errors.Is(err, errProtocol) || !strings.Contains(err.Error(), b.want) {
			t.Errorf("got %v, want %q", err, b.want)
		}
	}
}

// connect serves ps in memory and returns the Remote.
func connect(t testing.TB, ps ...plugin.Plugin) *Remote {
	// client.Close stops the server too (through go-plugin's controller);
	// a second Stop would race with it.
	client, _ := goplugin.TestPluginGRPCConn(t, false, PluginSet(ps...))
	t.Cleanup(func() { _ = client.Close() })
	raw, err := client.Dispense(PluginName)
	if err != nil {
		t.Fatal(err)
	}
	return raw.(*Remote)
}

type fixedMetric struct {
	info plugin.Info
	err  error
}

func (m fixedMetric) Info() plugin.Info { return m.info }

func (m fixedMetric) Prepare(ctx context.Context, req plugin.MetricRequest) (plugin.Space, error) {
	return nil, m.err
}

func TestErrorsCrossTheWire(t *testing.T) {
	info := plugin.Info{Kind: plugin.KindMetric, Name: "m", APIVersion: plugin.APIVersion,
		Params: plugin.Spec{{Name: "x", Type: plugin.TypeFloat, Doc: "x"}}}
	cases := []struct {
		name  string
		err   error
		req   plugin.Params
		want  string
		check func(error) bool
	}{
		{"param error keeps its type", &plugin.ParamError{Param: "x", Msg: "too big"}, nil, `metric/m (in-memory): parameter "x": too big`,
			func(err error) bool { var pe *plugin.ParamError; return errors.As(err, &pe) && pe.Param == "x" }},
		{"deadline unwraps", context.DeadlineExceeded, nil, "metric/m (in-memory): context deadline exceeded",
			func(err error) bool { return errors.Is(err, context.DeadlineExceeded) }},
		{"plain error", errors.New("jet 3: no particles"), nil, "metric/m (in-memory): jet 3: no particles", nil},
		{"spec validation in the plugin", nil, plugin.Params{"y": 1.0}, `metric/m (in-memory): parameter "y": unknown parameter (did you mean "x"?)`, nil},
		{"NaN parameter is refused by the host", nil, plugin.Params{"x": math.NaN()}, `metric/m (in-memory): parameter "x": value is not finite and cannot be sent to an external plugin`, nil},
		{"nil space", nil, nil, "metric/m (in-memory): Prepare returned neither a space nor an error", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := connect(t, fixedMetric{info, tc.err}).Plugins(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			_, err = ps[0].(plugin.Metric).Prepare(context.Background(), plugin.MetricRequest{Params: tc.req, Jets: &jet.Jets{}})
			if err == nil || err.Error() != tc.want {
				t.Errorf("got %v, want %s", err, tc.want)
			}
			if tc.check != nil && !tc.check(err) {
				t.Errorf("error %v lost its type", err)
			}
		})
	}
}

func TestProtocolErrors(t *testing.T) {
	info := plugin.Info{Kind: plugin.KindMetric, Name: "m", APIVersion: plugin.APIVersion}
	r := connect(t, fixedMetric{info: info})
	cases := []struct{ id, method, want string }{
		{"metric/m", "metric.Nope", `unknown method "metric.Nope"`},
		{"metric/zz", methodPrepare, `does not serve plugin "metric/zz"`},
		{"metric/m", methodRead, "method reader.Read called on metric plugin metric/m"},
		{"metric/m", methodBlock, "no prepared space 7 for metric/m"},
	}
	for _, tc := range cases {
		err := r.call(context.Background(), tc.id, tc.method, &pb.BlockRequest{Session: 7}, func([]byte) error { return nil })
		if !errors.Is(err, errProtocol) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s: got %v, want %q", tc.id, tc.method, err, tc.want)
		}
	}
	// Two plugins with one name cannot be served.
	if _, err := ServeConfig(fixedMetric{info: info}, fixedMetric{info: info}); err == nil || !strings.Contains(err.Error(), "plugin metric/m is served twice") {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := ServeConfig(); err == nil {
		t.Error("serving nothing was accepted")
	}
}

func TestConversionsRoundTrip(t *testing.T) {
	j := &jet.Jets{}
	j.Append([]float64{1, math.Copysign(0, -1)}, []float64{math.NaN(), 2}, []float64{3, 4}, []int32{-211, 22}, jet.Quark, 0.5)
	j.Append([]float64{5}, []float64{6}, []float64{7}, nil, jet.Gluon, math.Inf(1))
	j.Aux = map[string][]float64{"b": {1, 2}, "a": {math.NaN(), -1}}
	j.Meta = map[string]string{"file": "x.npz"}
	back := jetsFromPB(roundTrip(t, jetsToPB(j)))
	if back.Len() != 2 || back.PID[0] != -211 || math.Float64bits(back.Pt[1]) != 1<<63 || !math.IsNaN(back.Y[0]) ||
		back.Label[1] != jet.Gluon || !math.IsInf(back.Weight[1], 1) || !math.IsNaN(back.Aux["a"][0]) || back.Meta["file"] != "x.npz" {
		t.Errorf("jets round trip: %+v", back)
	}
	info := plugin.Info{Kind: plugin.KindSmearer, Name: "s", APIVersion: 1, Params: plugin.Spec{
		{Name: "n", Type: plugin.TypeInt, Default: int64(3), Min: plugin.Bound(1), Doc: "n"},
		{Name: "g", Type: plugin.TypeGrid, Default: []float64{0.1, 0.2}, Max: plugin.Bound(1), Doc: "g"},
		{Name: "s", Type: plugin.TypeStringList, Default: []string{"a"}, Enum: []string{"a", "b"}, Doc: "s"},
		{Name: "r", Type: plugin.TypeString, Required: true, Doc: "r"},
	}}
	pi, err := infoToPB(info)
	if err != nil {
		t.Fatal(err)
	}
	got, err := infoFromPB(roundTrip(t, pi))
	if err != nil {
		t.Fatal(err)
	}
	if got.Params[0].Default != int64(3) || got.Params[1].Default.([]float64)[1] != 0.2 || *got.Params[1].Max != 1 ||
		got.Params[0].Max != nil || got.Params[2].Default.([]string)[0] != "a" || got.Params[3].Default != nil || !got.Params[3].Required {
		t.Errorf("info round trip: %+v", got.Params)
	}
	sb := scoresFromPB(roundTrip(t, scoresToPB(&plugin.ScoreBatch{Counts: []float64{}})))
	if sb.Counts == nil {
		t.Error("empty Counts came back nil")
	}
	if scoresFromPB(roundTrip(t, scoresToPB(&plugin.ScoreBatch{}))).Counts != nil {
		t.Error("nil Counts came back non-nil")
	}
}

func roundTrip[M proto.Message](t *testing.T, m M) M {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	out := m.ProtoReflect().New().Interface().(M)
	if err := proto.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
	return out
}
