// swift-tools-version:6.1
import PackageDescription

// dlib's HOG scan and image pyramids are header templates compiled into our shim; at -O0 they run
// about 90x slower, which makes debug builds and the test suite unusable. The shim is therefore
// optimised in every configuration (root package only: SwiftPM refuses unsafeFlags in dependencies).
let optimisedInDebug: [CXXSetting] = [.unsafeFlags(["-O2"], .when(configuration: .debug))]

let package = Package(
    name: "zmface",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "zmface", targets: ["zmface"]),
        .executable(name: "zmface-bench", targets: ["zmface-bench"]),
        // dlib's HOG detector built for x86-64-v3, loaded with dlopen on CPUs that have AVX2 and FMA
        // (Sources/CDlib/hog_dispatch.cpp); install it next to zmface or in ../lib/zmface.
        .library(name: "zmfhog-x86-64-v3", type: .dynamic, targets: ["CDlibHOGx86_64v3"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
    ],
    targets: [
        // MARK: C and C++ shims: the only places where C types exist.
        .target(
            name: "CDlib",
            cxxSettings: optimisedInDebug,
            // pkg-config's dlib-1 lists absolute .so paths that SwiftPM drops, losing BLAS/LAPACK;
            // name the libraries directly. libblas/liblapack resolve to OpenBLAS via alternatives.
            linkerSettings: [.linkedLibrary("dlib"), .linkedLibrary("blas"), .linkedLibrary("lapack")]
        ),
        // The same HOG detector source (CDlib/hog_detector.hpp) for AVX2 and FMA, in its own shared
        // library with hidden symbols, so its instances of dlib's templates never replace the baseline's.
        .target(
            name: "CDlibHOGx86_64v3",
            cxxSettings: [
                .headerSearchPath("../CDlib/include"),
                .unsafeFlags(["-O3", "-march=x86-64-v3", "-fvisibility=hidden", "-fvisibility-inlines-hidden"]),
            ],
            linkerSettings: [.linkedLibrary("dlib")]
        ),
        .target(
            name: "CImageCodecs",
            cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))],
            linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png16"), .linkedLibrary("webp")]
        ),
        .systemLibrary(name: "CZmq", pkgConfig: "libzmq", providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(name: "CPq", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CFFmpeg", pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]),
        .systemLibrary(name: "CMariaDB", pkgConfig: "libmariadb", providers: [.apt(["libmariadb-dev"])]),
        .systemLibrary(name: "CXGBoost", providers: [.apt(["libxgboost-dev"])]),
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),

        // MARK: Swift modules.
        .target(
            name: "ZMFaceCore",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Workers",
            dependencies: [
                "ZMFaceCore", "CDlib", "CImageCodecs", "CXGBoost", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "Recognition", dependencies: ["Workers", "ZMFaceCore"]),
        // Classifier training (search, SMO, Platt fitting, evaluation, the encodings file): linked by
        // the training commands; serving needs only the inference in Workers.
        .target(name: "Training", dependencies: ["Workers", "ZMFaceCore"]),
        .target(name: "FaceAPI", dependencies: ["Recognition", "Workers", "ZMFaceCore", "MessagePack"]),
        .target(
            name: "Ingest",
            dependencies: [
                "ZMFaceCore", "CMariaDB", "CFFmpeg", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Sink",
            dependencies: ["ZMFaceCore", "CPq", "ZeroMQ", "MQTT", .product(name: "Logging", package: "swift-log")]
        ),
        // The MQTT client (libmosquitto on its own thread); what is published is Sink's.
        .target(
            name: "MQTT",
            dependencies: ["ZMFaceCore", "CMosquitto", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "MessagePack"),
        // The faces page: its REST API, the static page (served from Assets/, found like the models)
        // and the train job. The OpenAPI file is compiled in and served at /api/openapi.yaml.
        .target(
            name: "Web",
            dependencies: [
                "Sink", "FaceAPI", "Recognition", "Workers", "ZMFaceCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Assets"],
            resources: [.embedInCode("openapi.yaml")]
        ),
        .target(name: "ZeroMQ", dependencies: ["CZmq"]),
        .target(
            name: "ZeroRPC",
            dependencies: ["MessagePack", "ZeroMQ", .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "zmface",
            dependencies: [
                "ZMFaceCore", "Workers", "Recognition", "Training", "Ingest", "Sink", "ZeroMQ", "ZeroRPC", "FaceAPI",
                "MessagePack", "MQTT", "Web",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .executableTarget(
            name: "zmface-bench",
            dependencies: [
                "ZMFaceCore", "Workers", "Recognition", "Training", "Ingest", "Sink", "ZeroMQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Tests.
        .testTarget(name: "WorkersTests", dependencies: ["Workers", "Recognition", "Training", "ZMFaceCore"]),
        .testTarget(name: "MessagePackTests", dependencies: ["MessagePack"]),
        .testTarget(
            name: "FaceAPITests", dependencies: ["FaceAPI", "Recognition", "Workers", "ZMFaceCore", "MessagePack"]
        ),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),
        .testTarget(
            name: "ConfigurationTests", dependencies: ["zmface", "Recognition", "Workers", "ZMFaceCore", "MQTT"]
        ),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "Workers", "ZMFaceCore"]),
        .testTarget(
            name: "WebTests",
            dependencies: ["Web", "Sink", "ZMFaceCore", .product(name: "Hummingbird", package: "hummingbird")]
        ),
        .testTarget(name: "SinkTests", dependencies: ["Sink", "ZMFaceCore", "ZeroMQ", "MQTT"]),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)

// `import X` is internal everywhere, so a `public import` says that X's types are part of the
// module's API (Swift 6's InternalImportsByDefault; the default in a later language mode).
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [.enableUpcomingFeature("InternalImportsByDefault")]
}
