// swift-tools-version:6.0
// No package dependencies: only the toolchain and the C libraries below (see ARCHITECTURE.md).
import PackageDescription

let shared = "Sources/Shared"

let package = Package(
    name: "Chat",
    products: [
        .executable(name: "auth-svc", targets: ["auth-svc"]),
        .executable(name: "room-svc", targets: ["room-svc"]),
        .executable(name: "relay-svc", targets: ["relay-svc"]),
        .executable(name: "mail-svc", targets: ["mail-svc"]),
    ],
    targets: [
        // System libraries. hiredis has no pkgConfig on purpose: its .pc adds a prohibited flag.
        .systemLibrary(name: "CLinux", path: "\(shared)/CLinux"),
        .systemLibrary(name: "CSQLite", path: "\(shared)/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CHiredis", path: "\(shared)/CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CCurl", path: "\(shared)/CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "COpenSSL", path: "\(shared)/COpenSSL", providers: [.apt(["libssl-dev"])]),

        // Shared modules, each with one job. A module imports only what sits below it.
        .target(name: "Runtime", dependencies: ["CLinux"], path: "\(shared)/Runtime"),
        .target(name: "IO", dependencies: ["CLinux", "Runtime"], path: "\(shared)/IO"),
        .target(name: "Crypto", dependencies: ["COpenSSL"], path: "\(shared)/Crypto"),
        .target(name: "HTTP", dependencies: ["IO", "Runtime", "Crypto"], path: "\(shared)/HTTP"),
        .target(name: "WebSocket", dependencies: ["HTTP", "IO", "Crypto"], path: "\(shared)/WebSocket"),
        .target(name: "SQLite", dependencies: ["CSQLite", "Runtime"], path: "\(shared)/SQLite"),
        .target(name: "Redis", dependencies: ["CHiredis", "CLinux", "IO", "Runtime"], path: "\(shared)/Redis"),
        .target(name: "Mail", dependencies: ["CCurl", "Runtime"], path: "\(shared)/Mail"),

        // Services: main.swift wires config → stores → routes → server; the other files hold the logic.
        .executableTarget(
            name: "auth-svc",
            dependencies: ["Runtime", "HTTP", "SQLite", "Redis", "Crypto"],
            // A plain data file, not a SwiftPM resource: resource bundles link all of Foundation into
            // the executable (about 5 MB more resident) just to find one file. AuthConfig looks for it.
            exclude: ["Resources"]),
        .executableTarget(
            name: "room-svc",
            dependencies: ["Runtime", "IO", "HTTP", "SQLite", "Redis", "Crypto"]),
        .executableTarget(
            name: "relay-svc",
            dependencies: ["Runtime", "HTTP", "WebSocket", "Redis", "Crypto"]),
        .executableTarget(
            name: "mail-svc",
            dependencies: ["Runtime", "HTTP", "Redis", "Mail", "Crypto"]),

        // Test support: real servers (redis, SMTP), temp dirs, a small HTTP/WebSocket client.
        .target(name: "TestSupport", dependencies: ["Runtime", "IO", "HTTP", "Crypto"], path: "Tests/TestSupport"),

        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "TestSupport"]),
        .testTarget(name: "IOTests", dependencies: ["IO", "TestSupport"]),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto", "Runtime"], resources: [.copy("Fixtures")]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "IO", "TestSupport"]),
        .testTarget(name: "WebSocketTests", dependencies: ["WebSocket", "HTTP", "IO", "TestSupport"], exclude: ["Interop"]),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite", "TestSupport"]),
        .testTarget(name: "RedisTests", dependencies: ["Redis", "IO", "TestSupport"]),
        .testTarget(name: "MailTests", dependencies: ["Mail", "TestSupport"]),
        .testTarget(name: "AuthServiceTests", dependencies: ["auth-svc", "TestSupport", "HTTP", "SQLite", "Redis", "Crypto"]),
        .testTarget(name: "RoomServiceTests", dependencies: ["room-svc", "TestSupport", "HTTP", "SQLite", "Redis", "Crypto"]),
        .testTarget(name: "RelayServiceTests", dependencies: ["relay-svc", "TestSupport", "HTTP", "WebSocket", "Redis"]),
        .testTarget(name: "MailServiceTests", dependencies: ["mail-svc", "TestSupport", "Redis", "Mail"]),
    ],
    swiftLanguageModes: [.v6]
)
