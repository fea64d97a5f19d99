// swift-tools-version: 6.1
//
// Draizer: one root package, many targets. The module graph is the architecture:
//   DraizerCore  <-  FastPath / RedisBus / PostgresStore  <-  Services
// Pure libraries import no networking; C libraries sit behind small Swift modules.
import PackageDescription

/// Hot-path modules get unchecked exclusivity in release (class-property mutation loops are 18x
/// faster without the dynamic checks; see ../shared/TOOLCHAIN.md §7).
let hotPath: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
]

let package = Package(
    name: "Draizer",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "draizer", targets: ["draizer"]),
        .library(name: "DraizerCore", targets: ["DraizerCore"]),
        .library(name: "FastPath", targets: ["FastPath"]),
        .library(name: "RedisBus", targets: ["RedisBus"]),
        .library(name: "PostgresStore", targets: ["PostgresStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
    ],
    targets: [
        // MARK: C shims and system libraries
        .target(name: "CDraizerShim", path: "Shared/CDraizerShim"),
        .target(name: "CAllocCounter", path: "Shared/CAllocCounter"),
        .systemLibrary(
            name: "CHiredis", path: "Shared/CHiredis", pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(
            name: "CCrypto", path: "Shared/CCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CLibPQ", path: "Shared/CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),

        // MARK: Shared libraries
        .target(name: "DraizerCore", path: "Shared/DraizerCore", swiftSettings: hotPath),
        .target(
            name: "FastPath", dependencies: ["DraizerCore", "CDraizerShim", "BlockingCalls"],
            path: "Shared/FastPath", swiftSettings: hotPath),
        .target(name: "OrderBook", dependencies: ["DraizerCore", "CDraizerShim"], path: "Shared/OrderBook", swiftSettings: hotPath),
        // Generated once from ../shared/fixtures/mexc/proto with protoc-gen-swift 1.39.0 (see
        // Shared/MEXCProto/README.md); builds never run protoc.
        .target(
            name: "MEXCProto", dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            path: "Shared/MEXCProto", exclude: ["README.md"]),
        .target(
            name: "Venues", dependencies: ["DraizerCore", "OrderBook", "CCrypto", "CDraizerShim"], path: "Shared/Venues", exclude: ["README.md"],
            swiftSettings: hotPath),
        .target(
            name: "VenueSim",
            dependencies: [
                "DraizerCore", "OrderBook", "Venues", "MEXCProto", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Shared/VenueSim"),
        .target(
            name: "VenueTransport",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Shared/VenueTransport"),
        .target(name: "Strategies", dependencies: ["DraizerCore", "FastPath", "CDraizerShim"], path: "Shared/Strategies", swiftSettings: hotPath),
        .target(name: "Discovery", dependencies: ["DraizerCore", "Venues"], path: "Shared/Discovery"),
        .target(name: "BlockingCalls", path: "Shared/BlockingCalls"),
        .target(name: "ServiceKit", dependencies: ["BlockingCalls", "DraizerCore", "CDraizerShim"], path: "Shared/ServiceKit"),
        .target(
            name: "RedisBus", dependencies: ["CHiredis", "BlockingCalls", "DraizerCore"],
            path: "Shared/RedisBus"),
        .target(
            name: "PostgresStore", dependencies: ["CLibPQ", "BlockingCalls", "DraizerCore"],
            path: "Shared/PostgresStore"),

        // MARK: Executables
        .executableTarget(
            name: "draizer",
            dependencies: [
                "DraizerCore", "FastPath", "OrderBook", "Venues", "Discovery", "VenueTransport", "RedisBus", "PostgresStore",
                "ServiceKit", "CDraizerShim", "Strategies",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                "CAllocCounter",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Services/draizer", exclude: ["README.md"], swiftSettings: hotPath),

        .executableTarget(
            name: "venue-sim",
            dependencies: [
                "VenueSim", "Venues", "DraizerCore", "ServiceKit", "CDraizerShim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Services/venue-sim", exclude: ["README.md"]),

        .executableTarget(
            name: "market-gateway",
            dependencies: [
                "Venues", "VenueTransport", "FastPath", "OrderBook", "DraizerCore", "ServiceKit", "CDraizerShim", "RedisBus", "BlockingCalls",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Services/market-gateway", exclude: ["README.md"], swiftSettings: hotPath),

        .executableTarget(
            name: "opportunity-detector",
            dependencies: [
                "Strategies", "FastPath", "DraizerCore", "RedisBus", "BlockingCalls", "ServiceKit", "CDraizerShim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Services/opportunity-detector", exclude: ["README.md"], swiftSettings: hotPath),

        // MARK: Tests
        .executableTarget(
            name: "fastpath-probe", dependencies: ["FastPath", "DraizerCore"],
            path: "Tests/FastPathProbe", swiftSettings: hotPath),
        .target(name: "TestSupport", dependencies: ["ServiceKit", "DraizerCore"], path: "Tests/Support"),
        .testTarget(name: "DraizerCoreTests", dependencies: ["DraizerCore"]),
        .testTarget(name: "OrderBookTests", dependencies: ["OrderBook", "DraizerCore"]),
        .testTarget(
            name: "VenuesTests", dependencies: ["Venues", "Discovery", "OrderBook", "DraizerCore", "MEXCProto", "TestSupport", "CDraizerShim"]),
        .testTarget(
            name: "FastPathTests", dependencies: ["FastPath", "DraizerCore", "ServiceKit", "TestSupport", "fastpath-probe"]),
        .testTarget(name: "VenueSimTests", dependencies: ["VenueSim", "Venues", "OrderBook", "DraizerCore", "TestSupport"]),
        .testTarget(
            name: "VenueTransportTests",
            dependencies: [
                "VenueTransport", "Venues", "VenueSim", "OrderBook", "DraizerCore", "ServiceKit", "TestSupport", "venue-sim",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "FastPath", "DraizerCore", "ServiceKit", "TestSupport", "VenueTransport", "RedisBus", "draizer", "venue-sim", "market-gateway",
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(
            name: "DetectorTests",
            dependencies: [
                "Strategies", "FastPath", "DraizerCore", "ServiceKit", "TestSupport", "VenueTransport", "draizer", "venue-sim", "market-gateway",
                "opportunity-detector", "CDraizerShim", "RedisBus", .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(name: "StrategiesTests", dependencies: ["Strategies", "FastPath", "DraizerCore", "TestSupport"]),
        .testTarget(name: "ServiceKitTests", dependencies: ["ServiceKit", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["ServiceKit", "TestSupport", "DraizerCore", "draizer", "venue-sim"]),
        .testTarget(
            name: "IntegrationTests", dependencies: ["RedisBus", "PostgresStore", "DraizerCore", "ServiceKit", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
