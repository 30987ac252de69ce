package grpcplugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	pb "github.com/smearflow/smearflow/core/plugin/proto"
	"github.com/smearflow/smearflow/core/table"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// Defaults of Remote's timing knobs (see Options).
const (
	DefaultKillGrace   = 500 * time.Millisecond
	DefaultCallTimeout = time.Minute
)

// Remote is the host end of a gRPC connection to a plugin server. Its
// Plugins method returns proxies implementing the core/plugin interfaces.
// LaunchCommand builds one per plugin process; NewRemote builds one over
// any connection (an in-memory one in tests).
type Remote struct {
	rpc    pb.PluginsClient
	origin string  // the binary or command line, for messages
	proc   *Client // nil when no process is attached (in-memory tests)

	// KillGrace is how long a call waits, after the caller's deadline
	// passed, for the plugin to give up before its process is killed.
	killGrace time.Duration
	// callTimeout bounds calls whose interface method takes no context
	// (Smearer.Plan, Space.Close) and the catalog.
	callTimeout time.Duration
}

// NewRemote returns a Remote over conn. origin names the other end in
// error messages (a binary path, or a description such as "in-memory").
func NewRemote(conn grpc.ClientConnInterface, origin string) *Remote {
	return &Remote{rpc: pb.NewPluginsClient(conn), origin: origin, killGrace: DefaultKillGrace, callTimeout: DefaultCallTimeout}
}

// Origin returns the origin given to NewRemote (or the command line of a
// launched process).
func (r *Remote) Origin() string { return r.origin }

// Plugins reads the catalog and returns one proxy per plugin, in the
// order the server lists them. Every Info is checked (Info.Check: kind,
// name, API version); the first failure is returned, naming the origin.
func (r *Remote) Plugins(ctx context.Context) ([]plugin.Plugin, error) {
	cat, err := r.rpc.Catalog(ctx, &pb.CatalogRequest{})
	if err != nil {
		return nil, fmt.Errorf("plugin binary %s: reading its catalog: %w", r.origin, transportError{err})
	}
	if v := int(cat.ApiVersion); v != plugin.APIVersion {
		return nil, fmt.Errorf("plugin binary %s was built against plugin API version %d, this runner speaks %d: rebuild it against the current smearflow SDK", r.origin, v, plugin.APIVersion)
	}
	if len(cat.Plugins) == 0 {
		return nil, fmt.Errorf("plugin binary %s serves no plugins", r.origin)
	}
	out := make([]plugin.Plugin, 0, len(cat.Plugins))
	for _, pi := range cat.Plugins {
		info, err := infoFromPB(pi)
		if err != nil {
			return nil, fmt.Errorf("plugin binary %s: %w", r.origin, err)
		}
		if err := info.Check(); err != nil {
			return nil, fmt.Errorf("plugin binary %s: %w", r.origin, err)
		}
		mk, ok := proxyKinds[info.Kind]
		if !ok { // Check accepts exactly the kinds of KindSpecs; this is a host bug
			return nil, fmt.Errorf("plugin binary %s: no gRPC shim for kind %q", r.origin, info.Kind)
		}
		out = append(out, mk(&proxy{r: r, info: info, id: info.ID()}))
	}
	return out, nil
}

// call runs one method: it sends req, hands every response message to
// onMsg and forwards progress reports to ctx's progress callback. Errors
// name the plugin and its origin; see the package README for the rules on
// deadlines, cancellation and crashes.
func (r *Remote) call(ctx context.Context, id, method string, req proto.Message, onMsg func([]byte) error) error {
	who := fmt.Sprintf("%s (%s)", id, r.origin)
	if r.proc != nil {
		if err := r.proc.usable(id); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %s not started: %w", who, shortMethod(method), err)
	}
	start := time.Now()
	// The stream gets its own context so that, when the caller's deadline
	// passes, the plugin has KillGrace to answer before we cut it off.
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	finished := make(chan struct{})
	defer close(finished)
	var killed atomic.Bool
	stop := context.AfterFunc(ctx, func() {
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			cancel()
			return
		}
		t := time.NewTimer(r.killGrace)
		defer t.Stop()
		select {
		case <-finished:
		case <-t.C:
			if r.proc != nil {
				killed.Store(true)
				r.proc.killHung(fmt.Sprintf("killed after %s of %s hung past its deadline", shortMethod(method), id))
			}
			cancel()
		}
	})
	defer stop()

	err := r.exchange(ctx, sctx, id, method, req, onMsg)
	if err == nil {
		return nil
	}
	var pt passThrough
	if errors.As(err, &pt) {
		return pt.err
	}
	var te transportError
	isTransport := errors.As(err, &te)
	var re *remoteError
	isCtx := isTransport || (errors.As(err, &re) && (re.code == pb.ErrorCode_ERROR_CODE_CANCELED || re.code == pb.ErrorCode_ERROR_CODE_DEADLINE_EXCEEDED))
	// The plugin's context has our deadline, and its timer may fire a
	// moment before ours: its deadline error is then our timeout.
	d, hasDeadline := ctx.Deadline()
	ourDeadline := hasDeadline && re != nil && re.code == pb.ErrorCode_ERROR_CODE_DEADLINE_EXCEEDED && time.Until(d) < 50*time.Millisecond
	if cerr := ctx.Err(); (cerr != nil && isCtx) || ourDeadline {
		if ourDeadline || errors.Is(cerr, context.DeadlineExceeded) {
			return timeoutError(who, shortMethod(method), d.Sub(start).Round(time.Millisecond), killed.Load(), r.killGrace, context.DeadlineExceeded)
		}
		return fmt.Errorf("%s: %s canceled: %w", who, shortMethod(method), cerr)
	}
	if isTransport {
		if r.proc != nil && r.proc.waitExit(2*time.Second) {
			return r.proc.exitError(id, shortMethod(method))
		}
		return fmt.Errorf("%s: %s: connection to the plugin failed: %w", who, shortMethod(method), te.err)
	}
	return fmt.Errorf("%s: %w", who, err)
}

// exchange does the frame traffic of one call on a stream living in sctx.
func (r *Remote) exchange(ctx, sctx context.Context, id, method string, req proto.Message, onMsg func([]byte) error) error {
	stream, err := r.rpc.Call(sctx)
	if err != nil {
		return transportError{err}
	}
	head := &pb.Frame{Plugin: id, Method: method}
	if d, ok := ctx.Deadline(); ok {
		head.DeadlineUnixNano = d.UnixNano()
	}
	out := &frameSender{send: stream.Send}
	sendErr := out.message(req, head)
	if sendErr != nil && !errors.As(sendErr, new(transportError)) {
		return sendErr // the request could not be encoded
	}
	// After a failed send (the stream was aborted) Recv reports why.
	if sendErr == nil {
		if err := stream.CloseSend(); err != nil {
			return transportError{err}
		}
	}
	var asm assembler
	for {
		f, err := stream.Recv()
		if err == io.EOF {
			if sendErr != nil {
				return sendErr
			}
			if asm.midMessage() {
				return fmt.Errorf("%w: response ended before its last chunk", errProtocol)
			}
			return nil
		}
		if err != nil {
			return transportError{err}
		}
		switch {
		case f.Progress != nil:
			plugin.ReportProgress(ctx, f.Progress.Done, f.Progress.Total, f.Progress.Message)
		case f.Error != nil:
			return errorFromPB(f.Error)
		default:
			msg, done, err := asm.add(f)
			if err != nil {
				return err
			}
			if done {
				if err := onMsg(msg); err != nil {
					return err
				}
			}
		}
	}
}

// ------------------------------------------------------------------ proxies

// proxy is what every per-kind client shim shares.
type proxy struct {
	r    *Remote
	info plugin.Info
	id   string
}

// Info returns the Info read from the plugin's catalog.
func (p *proxy) Info() plugin.Info { return p.info }

func (p *proxy) params(ps plugin.Params) ([]byte, error) {
	b, err := encodeParams(ps)
	if err != nil {
		return nil, fmt.Errorf("%s (%s): %w", p.id, p.r.origin, err)
	}
	return b, nil
}

// unary runs a method answered by exactly one Resp message.
func unary[Resp any, PResp interface {
	*Resp
	proto.Message
}](ctx context.Context, p *proxy, method string, req proto.Message) (PResp, error) {
	var resp PResp
	err := p.r.call(ctx, p.id, method, req, func(data []byte) error {
		if resp != nil {
			return fmt.Errorf("%w: %s answered more than once", errProtocol, method)
		}
		resp = PResp(new(Resp))
		if err := proto.Unmarshal(data, resp); err != nil {
			return fmt.Errorf("%w: decode %T: %v", errProtocol, resp, err)
		}
		return nil
	})
	if err == nil && resp == nil {
		err = fmt.Errorf("%s (%s): %w: %s sent no answer", p.id, p.r.origin, errProtocol, method)
	}
	return resp, err
}

// withTimeout is the context of interface methods that take none.
func (p *proxy) withTimeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), p.r.callTimeout)
}

// proxyKinds builds the client shim of each kind.
var proxyKinds = map[plugin.Kind]func(*proxy) plugin.Plugin{
	plugin.KindReader:      func(p *proxy) plugin.Plugin { return &readerProxy{p} },
	plugin.KindMetric:      func(p *proxy) plugin.Plugin { return &metricProxy{p} },
	plugin.KindSmearer:     func(p *proxy) plugin.Plugin { return &smearerProxy{p} },
	plugin.KindFitter:      func(p *proxy) plugin.Plugin { return &fitterProxy{p} },
	plugin.KindObservables: func(p *proxy) plugin.Plugin { return &observablesProxy{p} },
	plugin.KindTagger:      func(p *proxy) plugin.Plugin { return &taggerProxy{p} },
	plugin.KindExplainer:   func(p *proxy) plugin.Plugin { return &explainerProxy{p} },
}

type readerProxy struct{ *proxy }

func (p *readerProxy) Read(ctx context.Context, req plugin.ReadRequest, emit func(*jet.Jets) error) error {
	params, err := p.params(req.Params)
	if err != nil {
		return err
	}
	return p.r.call(ctx, p.id, methodRead, &pb.ReadRequest{Params: params, Seed: req.Seed, BatchSize: int64(req.BatchSize)},
		func(data []byte) error {
			var b pb.ReadBatch
			if err := proto.Unmarshal(data, &b); err != nil {
				return fmt.Errorf("%w: decode jet batch: %v", errProtocol, err)
			}
			if err := emit(jetsFromPB(b.Jets)); err != nil {
				return passThrough{err}
			}
			return nil
		})
}

type metricProxy struct{ *proxy }

func (p *metricProxy) Prepare(ctx context.Context, req plugin.MetricRequest) (plugin.Space, error) {
	return invoke(ctx, p.proxy, methodPrepare, req.Params,
		func(b []byte) proto.Message { return &pb.PrepareRequest{Params: b, Jets: jetsToPB(req.Jets)} },
		func(r *pb.PrepareResponse) plugin.Space {
			s := &spaceProxy{p: p.proxy, session: r.Session, n: int(r.Len)}
			if r.LowerBound {
				return &lowerBoundSpace{spaceProxy: s}
			}
			return s
		})
}

// spaceProxy is a metric space prepared in the plugin process.
type spaceProxy struct {
	p       *proxy
	session uint64
	n       int
	closed  atomic.Bool
}

func (s *spaceProxy) Len() int { return s.n }

// OutOfProcess implements plugin.OutOfProcess: the space lives in the
// plugin process.
func (s *spaceProxy) OutOfProcess() bool { return true }

func (s *spaceProxy) Block(ctx context.Context, rows, cols plugin.Range, out []float64) error {
	if rows.Len() < 0 || cols.Len() < 0 || len(out) != rows.Len()*cols.Len() {
		return fmt.Errorf("%s (%s): Block: rows %v and cols %v need an output of %d values, got %d",
			s.p.id, s.p.r.origin, rows, cols, max(rows.Len(), 0)*max(cols.Len(), 0), len(out))
	}
	resp, err := unary[pb.Floats](ctx, s.p, methodBlock, &pb.BlockRequest{
		Session: s.session, RowLo: int64(rows.Lo), RowHi: int64(rows.Hi), ColLo: int64(cols.Lo), ColHi: int64(cols.Hi),
	})
	return s.fill(err, resp, out)
}

func (s *spaceProxy) Pairs(ctx context.Context, i, j []int32, out []float64) error {
	if len(i) != len(j) || len(out) != len(i) {
		return fmt.Errorf("%s (%s): Pairs: %d row indices, %d column indices and %d outputs differ", s.p.id, s.p.r.origin, len(i), len(j), len(out))
	}
	resp, err := unary[pb.Floats](ctx, s.p, methodPairs, &pb.PairsRequest{Session: s.session, I: i, J: j})
	return s.fill(err, resp, out)
}

func (s *spaceProxy) fill(err error, resp *pb.Floats, out []float64) error {
	if err != nil {
		return err
	}
	if len(resp.Values) != len(out) {
		return fmt.Errorf("%s (%s): %w: %d distances received for %d requested", s.p.id, s.p.r.origin, errProtocol, len(resp.Values), len(out))
	}
	copy(out, resp.Values)
	return nil
}

// Close frees the space in the plugin process. Closing twice is a no-op.
func (s *spaceProxy) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	ctx, cancel := s.p.withTimeout()
	defer cancel()
	_, err := unary[pb.Empty](ctx, s.p, methodClose, &pb.SessionRequest{Session: s.session})
	return err
}

// lowerBoundSpace is a spaceProxy whose remote space is a LowerBounder.
// The embedding is fetched once (it is N×K floats: 800 MB for 100 000
// jets and K = 1024) and shared by every caller, as LowerBounder allows;
// concurrent first calls fetch it once, a failed fetch is retried by the
// next call.
type lowerBoundSpace struct {
	*spaceProxy
	fetch sync.Mutex // serialises fetches
	emb   atomic.Pointer[plugin.Embedding]
}

func (s *lowerBoundSpace) LowerBound(ctx context.Context) (*plugin.Embedding, error) {
	if e := s.emb.Load(); e != nil {
		return e, nil
	}
	s.fetch.Lock()
	defer s.fetch.Unlock()
	if e := s.emb.Load(); e != nil {
		return e, nil
	}
	resp, err := unary[pb.EmbeddingResponse](ctx, s.p, methodLowerBound, &pb.SessionRequest{Session: s.session})
	if err != nil {
		return nil, err
	}
	e := embeddingFromPB(resp.Embedding)
	if !s.closed.Load() {
		s.emb.Store(e)
	}
	return e, nil
}

// Close drops the cached embedding and closes the remote space.
func (s *lowerBoundSpace) Close() error {
	err := s.spaceProxy.Close()
	s.emb.Store(nil)
	return err
}

// invoke runs a method whose request carries parameters: it encodes
// them, builds the request, runs the call and converts the response.
func invoke[Resp any, PResp interface {
	*Resp
	proto.Message
}, Out any](ctx context.Context, p *proxy, method string, params plugin.Params, build func([]byte) proto.Message, conv func(PResp) Out) (Out, error) {
	var zero Out
	b, err := p.params(params)
	if err != nil {
		return zero, err
	}
	resp, err := unary[Resp, PResp](ctx, p, method, build(b))
	if err != nil {
		return zero, err
	}
	return conv(resp), nil
}

type smearerProxy struct{ *proxy }

func (p *smearerProxy) Plan(params plugin.Params) (plugin.SmearPlan, error) {
	ctx, cancel := p.withTimeout()
	defer cancel()
	return invoke(ctx, p.proxy, methodPlan, params,
		func(b []byte) proto.Message { return &pb.ParamsRequest{Params: b} }, planFromPB)
}

func (p *smearerProxy) Smear(ctx context.Context, params plugin.Params, batch *plugin.NeighborBatch) (*plugin.ScoreBatch, error) {
	return invoke(ctx, p.proxy, methodSmear, params,
		func(b []byte) proto.Message { return &pb.SmearRequest{Params: b, Batch: batchToPB(batch)} },
		func(r *pb.SmearResponse) *plugin.ScoreBatch { return scoresFromPB(r.Scores) })
}

type fitterProxy struct{ *proxy }

func (p *fitterProxy) Fit(ctx context.Context, req plugin.FitRequest) ([]plugin.FitResult, error) {
	return invoke(ctx, p.proxy, methodFit, req.Params,
		func(b []byte) proto.Message { return fitRequestToPB(req, b) }, fitResultsFromPB)
}

type observablesProxy struct{ *proxy }

func (p *observablesProxy) Compute(ctx context.Context, req plugin.ObservablesRequest) (*table.Table, error) {
	return invoke(ctx, p.proxy, methodCompute, req.Params,
		func(b []byte) proto.Message { return &pb.ComputeRequest{Params: b, Jets: jetsToPB(req.Jets)} },
		func(r *pb.TableResponse) *table.Table { return tableFromPB(r.Table) })
}

type taggerProxy struct{ *proxy }

func (p *taggerProxy) Train(ctx context.Context, req plugin.TrainRequest) ([]plugin.TrainedModel, error) {
	return invoke(ctx, p.proxy, methodTrain, req.Params, func(b []byte) proto.Message {
		return &pb.TrainRequest{Params: b, Seeds: req.Seeds, Train: datasetToPB(req.Train), Validation: datasetToPB(req.Validation), Keep: req.Keep}
	}, trainedFromPB)
}

func (p *taggerProxy) Predict(ctx context.Context, params plugin.Params, model plugin.Model, data plugin.Dataset) ([]float64, error) {
	return invoke(ctx, p.proxy, methodPredict, params,
		func(b []byte) proto.Message {
			return &pb.PredictRequest{Params: b, Model: modelToPB(model), Data: datasetToPB(data)}
		},
		(*pb.Floats).GetValues)
}

type explainerProxy struct{ *proxy }

func (p *explainerProxy) Explain(ctx context.Context, req plugin.ExplainRequest) (*plugin.Explanation, error) {
	return invoke(ctx, p.proxy, methodExplain, req.Params,
		func(b []byte) proto.Message {
			return &pb.ExplainRequest{Params: b, Model: modelToPB(req.Model), Data: datasetToPB(req.Data)}
		},
		func(r *pb.ExplainResponse) *plugin.Explanation { return explanationFromPB(r.Explanation) })
}

// Compile-time checks that every shim implements its interface.
var (
	_ plugin.Reader       = (*readerProxy)(nil)
	_ plugin.Metric       = (*metricProxy)(nil)
	_ plugin.Space        = (*spaceProxy)(nil)
	_ plugin.LowerBounder = (*lowerBoundSpace)(nil)
	_ plugin.Smearer      = (*smearerProxy)(nil)
	_ plugin.Fitter       = (*fitterProxy)(nil)
	_ plugin.Observables  = (*observablesProxy)(nil)
	_ plugin.Tagger       = (*taggerProxy)(nil)
	_ plugin.Explainer    = (*explainerProxy)(nil)
)
