import Runtime

/// Where a handler runs.
public enum Execution: Sendable {
    /// On the bounded worker pool: handlers may block (SQLite, hashing, Redis, outbound HTTP).
    case blocking
    /// On the event-loop thread itself: only for handlers that never block.
    case inline
    /// `fast` runs on the event-loop thread and answers when it can without blocking (a cache hit);
    /// when it returns nil, the handler runs on the worker pool as with `.blocking`.
    case inlineFirst(_ fast: @Sendable (Request) -> Response?)
}

public typealias Handler = @Sendable (Request) throws -> Response

/// Starts the work of a request on the event-loop thread without blocking, and hands it on (to a
/// queue, another thread) together with the `Responder`, which answers later from any thread. A
/// throw answers at once, and the responder must then not be called.
public typealias DeferredHandler = @Sendable (Request, Responder) throws -> Void

/// One route: a method, a pattern such as `/api/rooms/{id}/messages`, and its limits.
public struct Route: Sendable {
    public var method: String
    public var pattern: String
    /// The largest request body this route accepts; larger ones get 413 before being read.
    public var maxBody: Int
    let work: Work
    let segments: [Segment]

    enum Work: Sendable {
        case now(Execution, Handler)
        case deferred(DeferredHandler)
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }
}

/// Matches requests to routes by method and path segments. Unknown paths are 404; a known path
/// with another method is 405 with `Allow`.
public struct Router: Sendable {
    public private(set) var routes: [Route] = []
    /// The body limit for routes that do not set one.
    public var defaultMaxBody: Int

    public init(defaultMaxBody: Int = 64 * 1024) { self.defaultMaxBody = defaultMaxBody }

    public mutating func add(_ method: String, _ pattern: String, maxBody: Int? = nil,
                             execution: Execution = .blocking, _ handler: @escaping Handler) {
        add(method, pattern, maxBody: maxBody, .now(execution, handler))
    }

    /// A route whose handler answers later through its `Responder` (see `DeferredHandler`).
    public mutating func add(_ method: String, _ pattern: String, maxBody: Int? = nil,
                             deferred handler: @escaping DeferredHandler) {
        add(method, pattern, maxBody: maxBody, .deferred(handler))
    }

    private mutating func add(_ method: String, _ pattern: String, maxBody: Int?, _ work: Route.Work) {
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: true).map { part -> Route.Segment in
            part.hasPrefix("{") && part.hasSuffix("}") ? .parameter(String(part.dropFirst().dropLast())) : .literal(String(part))
        }
        routes.append(Route(method: method, pattern: pattern, maxBody: maxBody ?? defaultMaxBody, work: work,
                            segments: segments))
    }

    public mutating func get(_ p: String, maxBody: Int? = nil, execution: Execution = .blocking, _ h: @escaping Handler) {
        add("GET", p, maxBody: maxBody, execution: execution, h)
    }
    public mutating func post(_ p: String, maxBody: Int? = nil, execution: Execution = .blocking, _ h: @escaping Handler) {
        add("POST", p, maxBody: maxBody, execution: execution, h)
    }
    public mutating func put(_ p: String, maxBody: Int? = nil, execution: Execution = .blocking, _ h: @escaping Handler) {
        add("PUT", p, maxBody: maxBody, execution: execution, h)
    }
    public mutating func patch(_ p: String, maxBody: Int? = nil, execution: Execution = .blocking, _ h: @escaping Handler) {
        add("PATCH", p, maxBody: maxBody, execution: execution, h)
    }
    public mutating func delete(_ p: String, maxBody: Int? = nil, execution: Execution = .blocking, _ h: @escaping Handler) {
        add("DELETE", p, maxBody: maxBody, execution: execution, h)
    }

    /// The result of matching a method and path.
    public enum Match: Sendable {
        case found(Route, parameters: [String: String])
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    /// Matches `path` (no query). `HEAD` falls back to `GET` routes.
    public func match(method: String, path: String) -> Match {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        var allowed: [String] = []
        for route in routes {
            guard let params = Router.bind(route.segments, parts) else { continue }
            if route.method == method || (method == "HEAD" && route.method == "GET") {
                return .found(route, parameters: params)
            }
            allowed.append(route.method)
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }

    private static func bind(_ segments: [Route.Segment], _ parts: [Substring]) -> [String: String]? {
        guard segments.count == parts.count else { return nil }
        var params: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let text):
                guard part == text else { return nil }
            case .parameter(let name):
                guard let value = URLCoding.percentDecode(String(part)) else { return nil }
                params[name] = value
            }
        }
        return params
    }
}
