import IO
import Runtime

extension HTTPConnection {
    /// Parses and answers requests from `data` until it needs more bytes, hands a request to the
    /// worker pool, or must stop. Returns how many bytes it consumed.
    func drive(_ data: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        while phase == .reading {
            if outboundBytes > HTTPConnection.outboundHighWater {
                pausedForOutput = true  // resumed by flush() once the peer has read
                break
            }
            let event: RequestParser.Event
            do {
                let (e, consumed) = try parser.parse(UnsafeRawBufferPointer(rebasing: data[offset...]))
                offset += consumed
                event = e
            } catch {
                respondToParseError(error)
                break
            }
            switch event {
            case .needMore:
                if head == nil && !parser.isIdle && deadlineAction == .closeQuietly {
                    setDeadline(owner.limits.headerTimeout, .requestTimeout)
                }
                return offset
            case .head(let h):
                if !begin(h) { return offset }
            case .body(let body):
                dispatch(body)
            }
        }
        return offset
    }

    /// Routes a complete head and decides its body limit; false when it was answered with an error.
    private func begin(_ h: RequestHead) -> Bool {
        head = h
        requestStart = monotonicNanoseconds()
        requestID = HTTPConnection.saneRequestID(h.headers["X-Request-Id"]) ?? owner.nextRequestID()
        let router = server.router
        let (path, _) = HTTPConnection.splitPath(h.target)
        let m = router.match(method: h.method, path: String(path))
        match = m
        let limit: Int
        if case .found(let route, _) = m { limit = route.maxBody } else { limit = router.defaultMaxBody }
        do {
            try parser.acceptBody(limit: limit)
        } catch {
            respondToParseError(error)
            return false
        }
        if parser.isReadingBody {
            // RFC 9110 §10.1.1: tell a waiting client to send the body, now that it fits.
            if h.expectContinue { tail.append(contentsOf: HTTPConnection.continueLine) ; outboundBytes += HTTPConnection.continueLine.count }
            setDeadline(owner.limits.bodyTimeout, .requestTimeout)
        }
        return true
    }

    private static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Runs the handler of a complete request: inline here, on the worker pool, or deferred.
    private func dispatch(_ body: [UInt8]) {
        guard let h = head, let m = match else { return }
        clearDeadline()
        var request = Request(method: h.method, target: h.target, headers: h.headers, body: body,
                              requestID: requestID, remoteAddress: remote,
                              log: server.log.with(["request.id": requestID]))
        switch m {
        case .notFound:
            respond(.error(.notFound()))
        case .methodNotAllowed(let allowed):
            var methods = allowed
            if methods.contains("GET") && !methods.contains("HEAD") { methods.append("HEAD") }
            respond(.error(HTTPError(.methodNotAllowed, "method_not_allowed", "This method is not allowed here.",
                                     headers: [("Allow", methods.joined(separator: ", "))])))
        case .found(let route, let parameters):
            request.parameters = parameters
            switch route.work {
            case .now(.inline, let handler):
                respond(Server.invoke(request) { try handler(request) })
            case .now(.inlineFirst(let fast), let handler):
                if let response = fast(request) {
                    respond(response)
                } else {
                    answerLater(request, onPool(handler))
                }
            case .now(.blocking, let handler):
                answerLater(request, onPool(handler))
            case .deferred(let handler):
                answerLater(request, handler)
            }
        }
    }

    /// Starts a request that is answered later through its `Responder`; a throw answers at once.
    private func answerLater(_ request: Request, _ handler: DeferredHandler) {
        phase = .handling
        do {
            try handler(request, Responder(self, request: request))
        } catch {
            phase = .reading
            respond(Server.invoke(request) { throw error })
        }
    }

    /// A blocking handler as a deferred one: it runs on the worker pool, 503 when the queue is full.
    private func onPool(_ handler: @escaping Handler) -> DeferredHandler {
        let pool = server.pool
        return { request, responder in
            guard pool.submit({ responder.answer { try handler(request) } }) else { throw HTTPError.unavailable }
        }
    }

    /// A later answer (from the pool or a deferred handler), back on the loop thread.
    func complete(_ response: Response, generation expected: UInt64) {
        guard phase == .handling, generation == expected else { return }  // aborted meanwhile
        phase = .reading
        respond(response)
        if phase == .reading { resumeReading() } else { afterProgress() }
    }

    /// Queues the response of the current request and logs it.
    func respond(_ response: Response) {
        guard let h = head else { return }
        let isHead = h.method == "HEAD"
        var keepAlive = h.keepAlive && !closeAfterResponse && !server.isDraining
        if let value = response.headers["Connection"], value.lowercased().contains("close") { keepAlive = false }
        let upgrading = response.status.code == 101 && response.upgrade != nil
        let before = tail.count
        encode(response, version: h.version, keepAlive: keepAlive || upgrading, isHead: isHead, upgrading: upgrading)
        outboundBytes += tail.count - before
        logAccess(h, status: response.status.code, bytes: isHead ? 0 : response.body.count)
        head = nil
        match = nil
        generation &+= 1
        if upgrading {
            phase = .upgraded
            pendingUpgrade = response.upgrade
            clearDeadline()
        } else if !keepAlive {
            phase = .closing
        } else {
            setDeadline(owner.limits.idleTimeout, .closeQuietly)
        }
    }

    /// Answers a request that could not be parsed (or arrived too slowly) and closes afterwards.
    func respondToParseError(_ error: HTTPParseError) {
        if head == nil {
            // No usable head: log what there is.
            head = RequestHead(method: "-", target: "-", version: .http1_1, headers: Headers(), framing: .none,
                               keepAlive: false, expectContinue: false, upgradeRequested: false)
            if requestID.isEmpty || requestStart == 0 {
                requestID = owner.nextRequestID()
                requestStart = monotonicNanoseconds()
            }
        }
        closeAfterResponse = true
        respond(.error(HTTPError(error.status, error.code, error.message)))
        phase = .closing
    }

    private func encode(_ response: Response, version: HTTPVersion, keepAlive: Bool, isHead: Bool, upgrading: Bool) {
        let code = response.status.code
        ResponseEncoder.statusLine(response.status, to: &tail)
        for (name, value) in response.headers {
            switch name.utf8.count {
            case 14 where Headers.same(name, "Content-Length"): continue
            case 10 where Headers.same(name, "Connection") && !upgrading: continue
            case 4 where Headers.same(name, "Date"): continue
            case 12 where Headers.same(name, "X-Request-Id"): continue
            case 17 where Headers.same(name, "Transfer-Encoding"): continue
            default: break
            }
            guard ResponseEncoder.isSafe(name, value) else {
                server.log.error("unsafe response header dropped", ["header": name, "request.id": requestID])
                continue
            }
            ResponseEncoder.header(name, value, to: &tail)
        }
        tail.append(contentsOf: owner.dates.current())
        ResponseEncoder.header("X-Request-Id", requestID, to: &tail)
        if !upgrading {
            if !keepAlive {
                ResponseEncoder.append("Connection: close\r\n", to: &tail)
            } else if version == .http1_0 {
                ResponseEncoder.append("Connection: keep-alive\r\n", to: &tail)
            }
        }
        let hasBody = ResponseEncoder.hasBody(code)
        if hasBody {
            ResponseEncoder.append("Content-Length: ", to: &tail)
            ResponseEncoder.append(response.body.count, to: &tail)
            tail.append(0x0D)
            tail.append(0x0A)
        }
        tail.append(0x0D)
        tail.append(0x0A)
        if hasBody && !isHead { tail.append(contentsOf: response.body) }
    }

    private func logAccess(_ h: RequestHead, status: Int, bytes: Int) {
        let log = server.log
        guard log.isEnabled(.info) else { return }
        let micros = (monotonicNanoseconds() &- requestStart) / 1000
        let fraction = String(micros % 1000)
        let duration = "\(micros / 1000)." + String(repeating: "0", count: 3 - fraction.utf8.count) + fraction
        log.info("request", [
            "http.method": h.method, "http.path": String(HTTPConnection.splitPath(h.target).path),
            "http.status": String(status), "http.bytes": String(bytes), "duration_ms": duration,
            "request.id": requestID,
        ])
    }

    static func splitPath(_ target: String) -> (path: Substring, hasQuery: Bool) {
        guard let q = target.utf8.firstIndex(of: 0x3F) else { return (target[...], false) }
        return (target[..<q], true)
    }

    /// A client-sent request id is kept when it is short and plain (letters, digits, `-_.:`).
    static func saneRequestID(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= 128 else { return nil }
        for c in value.utf8 {
            switch c {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x5F, 0x2E, 0x3A: continue
            default: return nil
            }
        }
        return value
    }
}
