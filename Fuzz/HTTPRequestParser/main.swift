// libFuzzer target for the HTTP request parser. Built standalone (see `sources`) with
// `swiftc -sanitize=fuzzer,address` by scripts/fuzz.sh. The first input byte picks a chunk size
// and a body limit; the rest is fed once whole and once in chunks, the way a connection feeds
// reads. Invariants: both ways give the same requests and the same error; every error is one of
// the statuses the server sends for bad input; bodies stay within their limit; header counts
// stay within theirs; the parser always consumes what it is given or asks for more.

struct Outcome: Equatable {
    var requests: [String] = []
    var error: HTTPParseError? = nil
}

let limits = ServerLimits(maxRequestLine: 256, maxHeaderBytes: 512, maxHeaders: 12)

func run(_ bytes: [UInt8], chunk: Int, bodyLimit: Int) -> Outcome {
    var parser = RequestParser(limits: limits)
    var pending: [UInt8] = []
    var outcome = Outcome()
    var head: RequestHead?
    var start = 0
    while start < bytes.count {
        let end = min(bytes.count, start + chunk)
        pending += bytes[start..<end]
        start = end
        while true {
            let step: Result<(RequestParser.Event, Int), HTTPParseError> = pending.withUnsafeBytes { buffer in
                Result { () throws(HTTPParseError) in try parser.parse(buffer) }
            }
            let event: RequestParser.Event
            switch step {
            case .failure(let error):
                outcome.error = error
                return outcome
            case .success(let (e, consumed)):
                check(consumed >= 0 && consumed <= pending.count, "consumed out of range")
                pending.removeFirst(consumed)
                event = e
            }
            if case .needMore = event { break }
            if case .head(let h) = event {
                check(h.headers.count <= limits.maxHeaders, "header count over the limit")
                check(!h.method.isEmpty && !h.target.isEmpty, "empty method or target")
                head = h
                do {
                    try parser.acceptBody(limit: bodyLimit)
                } catch {
                    outcome.error = error
                    return outcome
                }
            }
            if case .body(let body) = event {
                check(body.count <= bodyLimit, "body over the limit")
                let h = head!
                outcome.requests.append("\(h.method) \(h.target) \(h.version) \(h.headers.count) \(h.keepAlive) \(body)")
                head = nil
            }
        }
    }
    return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let control = data[0]
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let chunk = Int(control & 0x0F) + 1
    let bodyLimit = Int(control >> 4) * 16
    let whole = run(input, chunk: max(1, input.count), bodyLimit: bodyLimit)
    let pieces = run(input, chunk: chunk, bodyLimit: bodyLimit)
    check(whole == pieces, "different outcome when split into chunks of \(chunk)")
    if let error = whole.error {
        check([400, 413, 414, 431, 505].contains(error.status.code), "unexpected status \(error.status.code)")
    }
    return 0
}

/// Like `precondition`, but the message survives -O, so a crash report says which invariant broke.
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
