package grpcplugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	pb "github.com/smearflow/smearflow/core/plugin/proto"
	"github.com/smearflow/smearflow/core/table"
	"google.golang.org/protobuf/proto"
)

// Server serves in-process plugins over the smearflow plugin protocol: it
// implements the generated pb.PluginsServer by decoding each request,
// calling the plugin through its core/plugin interface and encoding the
// answer. Prepared metric spaces live in the server as sessions until the
// host closes them. Serve uses it; tests may register it on any
// grpc.Server.
type Server struct {
	pb.UnimplementedPluginsServer

	plugins map[string]plugin.Plugin // by "kind/name"
	infos   map[string]plugin.Info
	order   []string

	mu       sync.Mutex
	sessions map[uint64]session
	next     uint64
}

type session struct {
	owner string // "kind/name" of the metric that prepared it
	space plugin.Space
}

// NewServer returns a server for the given plugins. A nil plugin or two
// plugins with the same kind and name are errors.
func NewServer(ps ...plugin.Plugin) (*Server, error) {
	s := &Server{plugins: map[string]plugin.Plugin{}, infos: map[string]plugin.Info{}, sessions: map[uint64]session{}}
	for i, p := range ps {
		if p == nil {
			return nil, fmt.Errorf("grpcplugin: plugin %d of %d is nil", i+1, len(ps))
		}
		info := p.Info()
		id := info.ID()
		if _, dup := s.plugins[id]; dup {
			return nil, fmt.Errorf("grpcplugin: plugin %s is served twice", id)
		}
		s.plugins[id], s.infos[id] = p, info
		s.order = append(s.order, id)
	}
	return s, nil
}

// Catalog lists every served plugin with its full Info.
func (s *Server) Catalog(context.Context, *pb.CatalogRequest) (*pb.CatalogResponse, error) {
	out := &pb.CatalogResponse{ApiVersion: plugin.APIVersion}
	for _, id := range s.order {
		info, err := infoToPB(s.infos[id])
		if err != nil {
			return nil, err
		}
		out.Plugins = append(out.Plugins, info)
	}
	return out, nil
}

// Call runs one method of one plugin (see the Frame message).
func (s *Server) Call(stream pb.Plugins_CallServer) error {
	out := &frameSender{send: stream.Send}
	defer out.close()
	err := s.call(stream, out)
	if err == nil {
		return nil
	}
	// The plugin's error (or a protocol error) travels as the final frame;
	// the RPC itself succeeds.
	return out.frame(&pb.Frame{Error: errorToPB(err)})
}

func (s *Server) call(stream pb.Plugins_CallServer, out *frameSender) error {
	var (
		asm  assembler
		head *pb.Frame
		req  []byte
	)
	for req == nil {
		f, err := stream.Recv()
		if err == io.EOF {
			return fmt.Errorf("%w: request ended before its last chunk", errProtocol)
		}
		if err != nil {
			return err
		}
		if head == nil {
			head = f
		}
		msg, done, err := asm.add(f)
		if err != nil {
			return err
		}
		if done {
			req = msg
			if req == nil {
				req = []byte{}
			}
		}
	}
	m, ok := methods[head.Method]
	if !ok {
		return fmt.Errorf("%w: unknown method %q (the plugin binary may be older than the host)", errProtocol, head.Method)
	}
	p, ok := s.plugins[head.Plugin]
	if !ok {
		return fmt.Errorf("%w: this binary does not serve plugin %q", errProtocol, head.Plugin)
	}
	if kind := s.infos[head.Plugin].Kind; kind != m.kind {
		return fmt.Errorf("%w: method %s called on %s plugin %s", errProtocol, head.Method, kind, head.Plugin)
	}
	ctx := stream.Context()
	if d := head.DeadlineUnixNano; d != 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, time.Unix(0, d))
		defer cancel()
	}
	ctx = plugin.WithProgress(ctx, func(done, total int64, msg string) {
		_ = out.frame(&pb.Frame{Progress: &pb.Progress{Done: done, Total: total, Message: msg}})
	})
	c := &serverCall{ctx: ctx, srv: s, id: head.Plugin, info: s.infos[head.Plugin], out: out}
	return m.serve(c, p, req)
}

// serverCall is what a method handler sees of the call it serves.
type serverCall struct {
	ctx  context.Context
	srv  *Server
	id   string
	info plugin.Info
	out  *frameSender
}

func (c *serverCall) send(m proto.Message) error { return c.out.message(m, nil) }

func (c *serverCall) params(data []byte) (plugin.Params, error) {
	return plugin.DecodeParams(c.info.Params, data)
}

func (c *serverCall) session(id uint64) (plugin.Space, error) {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	s, ok := c.srv.sessions[id]
	if !ok || s.owner != c.id {
		return nil, fmt.Errorf("%w: no prepared space %d for %s (already closed?)", errProtocol, id, c.id)
	}
	return s.space, nil
}

func (c *serverCall) addSession(sp plugin.Space) uint64 {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	c.srv.next++
	c.srv.sessions[c.srv.next] = session{owner: c.id, space: sp}
	return c.srv.next
}

func (c *serverCall) dropSession(id uint64) {
	c.srv.mu.Lock()
	delete(c.srv.sessions, id)
	c.srv.mu.Unlock()
}

// Sessions reports the number of prepared metric spaces not yet closed.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// ------------------------------------------------------------ method table

// Method names, as carried by Frame.method.
const (
	methodRead       = "reader.Read"
	methodPrepare    = "metric.Prepare"
	methodBlock      = "space.Block"
	methodPairs      = "space.Pairs"
	methodLowerBound = "space.LowerBound"
	methodClose      = "space.Close"
	methodPlan       = "smearer.Plan"
	methodSmear      = "smearer.Smear"
	methodFit        = "fitter.Fit"
	methodCompute    = "observables.Compute"
	methodTrain      = "tagger.Train"
	methodPredict    = "tagger.Predict"
	methodExplain    = "explainer.Explain"
)

type method struct {
	kind  plugin.Kind
	serve func(c *serverCall, p plugin.Plugin, req []byte) error
}

// handle adapts a typed handler: it checks the plugin's interface, decodes
// the request message, runs fn and sends the response fn returns (none if
// fn returns nil: a reader streams its own).
func handle[P any, Req any, PReq interface {
	*Req
	proto.Message
}](kind plugin.Kind, fn func(c *serverCall, p P, req PReq) (proto.Message, error)) method {
	return method{kind: kind, serve: func(c *serverCall, p plugin.Plugin, data []byte) error {
		impl, ok := p.(P)
		if !ok {
			return fmt.Errorf("%w: plugin %s does not implement the %s interface", errProtocol, c.id, kind)
		}
		req := PReq(new(Req))
		if err := proto.Unmarshal(data, req); err != nil {
			return fmt.Errorf("%w: decode %T: %v", errProtocol, req, err)
		}
		resp, err := fn(c, impl, req)
		if err != nil || resp == nil {
			return err
		}
		return c.send(resp)
	}}
}

// withParams is handle for requests carrying parameters: they are decoded
// and re-canonicalised against the plugin's spec before fn runs.
func withParams[P any, Req any, PReq interface {
	*Req
	proto.Message
	GetParams() []byte
}](kind plugin.Kind, fn func(c *serverCall, p P, req PReq, params plugin.Params) (proto.Message, error)) method {
	return handle(kind, func(c *serverCall, p P, req PReq) (proto.Message, error) {
		params, err := c.params(req.GetParams())
		if err != nil {
			return nil, err
		}
		return fn(c, p, req, params)
	})
}

// reply converts a plugin's result to its response message.
func reply[T any, M proto.Message](conv func(T) M, v T, err error) (proto.Message, error) {
	if err != nil {
		return nil, err
	}
	return conv(v), nil
}

// onSession is handle for the methods of a prepared space.
func onSession[Req any, PReq interface {
	*Req
	proto.Message
	GetSession() uint64
}](fn func(c *serverCall, sp plugin.Space, req PReq) (proto.Message, error)) method {
	return handle(plugin.KindMetric, func(c *serverCall, _ plugin.Metric, req PReq) (proto.Message, error) {
		sp, err := c.session(req.GetSession())
		if err != nil {
			return nil, err
		}
		return fn(c, sp, req)
	})
}

func floats(v []float64) *pb.Floats { return &pb.Floats{Values: v} }

var methods = map[string]method{
	methodRead: withParams(plugin.KindReader, func(c *serverCall, r plugin.Reader, req *pb.ReadRequest, params plugin.Params) (proto.Message, error) {
		return nil, r.Read(c.ctx, plugin.ReadRequest{Params: params, Seed: req.Seed, BatchSize: int(req.BatchSize)},
			func(j *jet.Jets) error { return c.send(&pb.ReadBatch{Jets: jetsToPB(j)}) })
	}),
	methodPrepare: withParams(plugin.KindMetric, func(c *serverCall, m plugin.Metric, req *pb.PrepareRequest, params plugin.Params) (proto.Message, error) {
		sp, err := m.Prepare(c.ctx, plugin.MetricRequest{Params: params, Jets: jetsFromPB(req.Jets)})
		if err != nil {
			return nil, err
		}
		if sp == nil {
			return nil, fmt.Errorf("Prepare returned neither a space nor an error")
		}
		_, lb := sp.(plugin.LowerBounder)
		return &pb.PrepareResponse{Session: c.addSession(sp), Len: int64(sp.Len()), LowerBound: lb}, nil
	}),
	methodBlock: onSession(func(c *serverCall, sp plugin.Space, req *pb.BlockRequest) (proto.Message, error) {
		rows := plugin.Range{Lo: int(req.RowLo), Hi: int(req.RowHi)}
		cols := plugin.Range{Lo: int(req.ColLo), Hi: int(req.ColHi)}
		if rows.Len() < 0 || cols.Len() < 0 {
			return nil, fmt.Errorf("Block: reversed ranges rows %v, cols %v", rows, cols)
		}
		out := make([]float64, rows.Len()*cols.Len())
		return reply(floats, out, sp.Block(c.ctx, rows, cols, out))
	}),
	methodPairs: onSession(func(c *serverCall, sp plugin.Space, req *pb.PairsRequest) (proto.Message, error) {
		out := make([]float64, len(req.I))
		return reply(floats, out, sp.Pairs(c.ctx, req.I, req.J, out))
	}),
	methodLowerBound: onSession(func(c *serverCall, sp plugin.Space, req *pb.SessionRequest) (proto.Message, error) {
		lb, ok := sp.(plugin.LowerBounder)
		if !ok {
			return nil, fmt.Errorf("%w: the space of %s has no lower bound", errProtocol, c.id)
		}
		e, err := lb.LowerBound(c.ctx)
		return reply(func(e *plugin.Embedding) *pb.EmbeddingResponse {
			return &pb.EmbeddingResponse{Embedding: embeddingToPB(e)}
		}, e, err)
	}),
	methodClose: onSession(func(c *serverCall, sp plugin.Space, req *pb.SessionRequest) (proto.Message, error) {
		c.dropSession(req.Session)
		return &pb.Empty{}, sp.Close()
	}),
	methodPlan: withParams(plugin.KindSmearer, func(c *serverCall, s plugin.Smearer, req *pb.ParamsRequest, params plugin.Params) (proto.Message, error) {
		plan, err := s.Plan(params)
		return reply(planToPB, plan, err)
	}),
	methodSmear: withParams(plugin.KindSmearer, func(c *serverCall, s plugin.Smearer, req *pb.SmearRequest, params plugin.Params) (proto.Message, error) {
		batch, err := batchFromPB(req.Batch)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errProtocol, err)
		}
		scores, err := s.Smear(c.ctx, params, batch)
		return reply(func(s *plugin.ScoreBatch) *pb.SmearResponse { return &pb.SmearResponse{Scores: scoresToPB(s)} }, scores, err)
	}),
	methodFit: withParams(plugin.KindFitter, func(c *serverCall, f plugin.Fitter, req *pb.FitRequest, params plugin.Params) (proto.Message, error) {
		res, err := f.Fit(c.ctx, fitRequestFromPB(req, params))
		return reply(fitResultsToPB, res, err)
	}),
	methodCompute: withParams(plugin.KindObservables, func(c *serverCall, o plugin.Observables, req *pb.ComputeRequest, params plugin.Params) (proto.Message, error) {
		t, err := o.Compute(c.ctx, plugin.ObservablesRequest{Params: params, Jets: jetsFromPB(req.Jets)})
		return reply(func(t *table.Table) *pb.TableResponse { return &pb.TableResponse{Table: tableToPB(t)} }, t, err)
	}),
	methodTrain: withParams(plugin.KindTagger, func(c *serverCall, t plugin.Tagger, req *pb.TrainRequest, params plugin.Params) (proto.Message, error) {
		ms, err := t.Train(c.ctx, plugin.TrainRequest{
			Params: params, Seeds: req.Seeds, Train: datasetFromPB(req.Train),
			Validation: datasetFromPB(req.Validation), Keep: req.Keep,
		})
		return reply(trainedToPB, ms, err)
	}),
	methodPredict: withParams(plugin.KindTagger, func(c *serverCall, t plugin.Tagger, req *pb.PredictRequest, params plugin.Params) (proto.Message, error) {
		out, err := t.Predict(c.ctx, params, modelFromPB(req.Model), datasetFromPB(req.Data))
		return reply(floats, out, err)
	}),
	methodExplain: withParams(plugin.KindExplainer, func(c *serverCall, e plugin.Explainer, req *pb.ExplainRequest, params plugin.Params) (proto.Message, error) {
		ex, err := e.Explain(c.ctx, plugin.ExplainRequest{Params: params, Model: modelFromPB(req.Model), Data: datasetFromPB(req.Data)})
		return reply(func(e *plugin.Explanation) *pb.ExplainResponse {
			return &pb.ExplainResponse{Explanation: explanationToPB(e)}
		}, ex, err)
	}),
}

// errorToPB classifies a plugin error for the wire.
func errorToPB(err error) *pb.Error {
	// Only a bare *plugin.ParamError keeps its type: a wrapped one would
	// lose the wrapping text.
	if pe, ok := err.(*plugin.ParamError); ok {
		return &pb.Error{Code: pb.ErrorCode_ERROR_CODE_PARAM, Param: pe.Param, Message: pe.Msg}
	}
	switch {
	case errors.Is(err, context.Canceled):
		return &pb.Error{Code: pb.ErrorCode_ERROR_CODE_CANCELED, Message: err.Error()}
	case errors.Is(err, context.DeadlineExceeded):
		return &pb.Error{Code: pb.ErrorCode_ERROR_CODE_DEADLINE_EXCEEDED, Message: err.Error()}
	case errors.Is(err, errProtocol):
		return &pb.Error{Code: pb.ErrorCode_ERROR_CODE_PROTOCOL, Message: err.Error()}
	}
	return &pb.Error{Message: err.Error()}
}
