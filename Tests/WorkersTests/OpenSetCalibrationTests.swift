import Foundation
import Testing
import ZMFaceCore

@testable import Training
@testable import Workers

/// Choosing the open-set rule from the data (`zmface train`'s default). The encodings are
/// synthetic but shaped like dlib's: each person a point on a sphere far (~1.0) from the others,
/// each photo of them a noisy copy within about 0.35, strangers other such points.
@Suite struct OpenSetCalibrationTests {
    /// A random unit direction scaled to `length`.
    static func direction(_ generator: inout SeededGenerator, length: Float) -> [Float] {
        let raw = (0..<FaceEncoding.dimensions).map { _ in Float.random(in: -1...1, using: &generator) }
        let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return raw.map { $0 / norm * length }
    }

    /// `photos` encodings of a person centred on `centre`.
    static func photos(of centre: [Float], _ count: Int, _ generator: inout SeededGenerator) -> [FaceEncoding] {
        (0..<count).map { _ in
            let noise = direction(&generator, length: Float.random(in: 0.15...0.3, using: &generator))
            return FaceEncoding(zip(centre, noise).map(+))!
        }
    }

    static func dataset(people: Int, photos count: Int, strangers: Int, seed: UInt64) -> LabelledEncodings {
        var generator = SeededGenerator(seed: seed)
        var encodings: [FaceEncoding] = []
        var names: [String] = []
        for person in 0..<people {
            let centre = direction(&generator, length: 0.7)
            encodings += photos(of: centre, count, &generator)
            names += Array(repeating: "person\(person)", count: count)
        }
        for _ in 0..<strangers {
            encodings += photos(of: direction(&generator, length: 0.7), 1, &generator)
            names.append("Unknown")
        }
        return LabelledEncodings(encodings: encodings, names: names)
    }

    static func options(_ kind: FaceClassifierModel.Kind) -> TrainingOptions {
        TrainingOptions(kind: kind, encoder: .init(detector: "hog", upsample: 1, jitters: 1))
    }

    /// A judged face: who it is (nil: a stranger), whom the classifier named, and its score.
    static func sample(_ truth: String?, _ predicted: String, p: Double, margin: Double = 0.5, distance: Double)
        -> OpenSetCalibration.Sample
    {
        .init(
            truth: truth, predicted: predicted, predictedStrangerClass: predicted == "Unknown",
            score: FaceScore(predicted: 0, probability: p, margin: margin, distance: distance))
    }

    @Test("The rule names every known face that can be named without naming a stranger, and no more")
    func chooseOnKnownScores() {
        let samples = [
            Self.sample("ann", "ann", p: 0.40, distance: 0.45), Self.sample("ann", "ann", p: 0.35, distance: 0.50),
            Self.sample("bob", "bob", p: 0.55, distance: 0.40), Self.sample("bob", "ann", p: 0.30, distance: 0.58),
            Self.sample(nil, "bob", p: 0.28, distance: 0.62), Self.sample(nil, "ann", p: 0.45, distance: 0.70),
            Self.sample(nil, "Unknown", p: 0.90, distance: 0.30),
        ]
        let result = OpenSetCalibration.choose(
            samples, base: .init(), target: 0, people: ["ann", "bob"])
        let outcome = OpenSetCalibration.outcome(samples, rule: result.rule)
        #expect(outcome.namedCorrectly == 3 && outcome.strangersNamed == 0)
        #expect(outcome.namedWrongly == 0, "bob's photo that looks like ann (p 0.30) stays unnamed")
        #expect(result.rule.maxDistance < 0.62 && result.rule.maxDistance >= 0.50)
        #expect(result.estimate.namedCorrectly == 0.75 && result.estimate.strangersNamed == 0)
        #expect(result.estimate.knownFaces == 4 && result.estimate.strangerFaces == 3)
        // The original's fixed 0.9 names none of these spread-out probabilities; the estimate says so.
        #expect(result.estimate.namedCorrectly(atMinProba: 0.9) == 0)
    }

    @Test("A target above zero lets the rule trade a few strangers for more named faces")
    func targetTradesStrangers() {
        var samples = (0..<20).map { Self.sample("ann", "ann", p: 0.5, distance: 0.40 + Double($0) * 0.01) }
        samples += (0..<100).map { Self.sample(nil, "ann", p: 0.5, distance: 0.52 + Double($0) * 0.01) }
        let strict = OpenSetCalibration.choose(samples, base: .init(), target: 0, people: ["ann"])
        let loose = OpenSetCalibration.choose(samples, base: .init(), target: 0.05, people: ["ann"])
        #expect(strict.estimate.strangersNamed == 0 && loose.estimate.strangersNamed <= 0.05)
        #expect(loose.estimate.namedCorrectly > strict.estimate.namedCorrectly)
    }

    @Test(
        "Cross-validated calibration on 12 people names new photos of them and rejects new strangers",
        arguments: [FaceClassifierModel.Kind.svm, .knn])
    func calibrateGeneralises(kind: FaceClassifierModel.Kind) throws {
        let data = Self.dataset(people: 12, photos: 6, strangers: 12, seed: 11)
        let options = Self.options(kind)
        let search = try ClassifierTraining.search(data, options: options)
        let result = try OpenSetCalibration.calibrate(
            data, candidate: search[0].candidate, options: options, target: 0.01)
        #expect(result.estimate.method == "cross-validation")
        #expect(result.estimate.strangersNamed <= 0.01)
        #expect(result.estimate.namedCorrectly >= 0.9, "\(result.summary)")
        #expect(result.estimate.strangerFaces > 12, "left-out people add to the Unknown class's faces")

        var trained = options
        trained.openSet = result.rule
        let classifier = FaceClassifier(
            model: try ClassifierTraining.fit(data, candidate: search[0].candidate, options: trained))
        // Fresh photos of the same people (same centres: same seed) and fresh strangers.
        var generator = SeededGenerator(seed: 11)
        var named = 0
        var total = 0
        for person in 0..<12 {
            let centre = Self.direction(&generator, length: 0.7)
            for photo in Self.photos(of: centre, 6, &generator) { _ = photo }  // the training photos
            var fresh = SeededGenerator(seed: 1000 + UInt64(person))
            for photo in Self.photos(of: centre, 3, &fresh) {
                total += 1
                if try classifier.identify(photo).name == "person\(person)" { named += 1 }
            }
        }
        var strangers = SeededGenerator(seed: 99)
        var strangersNamed = 0
        for _ in 0..<50 {
            let stranger = Self.photos(of: Self.direction(&strangers, length: 0.7), 1, &strangers)[0]
            if try classifier.identify(stranger).isRecognized { strangersNamed += 1 }
        }
        #expect(Double(named) / Double(total) >= 0.9, "\(named) of \(total) fresh photos named")
        #expect(strangersNamed <= 1, "\(strangersNamed) of 50 fresh strangers named")
    }

    @Test("Fewer than 3 people with 3 photos or more falls back to dlib's distance rule")
    func fallback() throws {
        for data in [
            Self.dataset(people: 2, photos: 8, strangers: 5, seed: 3),
            Self.dataset(people: 5, photos: 2, strangers: 5, seed: 4),
        ] {
            let options = Self.options(.knn)
            let result = try OpenSetCalibration.calibrate(data, candidate: .knn(k: 1), options: options, target: 0.01)
            #expect(result.estimate.method == "fallback")
            #expect(result.rule.minProba == 0 && result.rule.maxDistance == 0.6 && result.rule.minMargin == 0)
            #expect(result.summary.contains("too little data"))
        }
    }

    @Test("A threshold given on the command line is kept; the others are still chosen")
    func fixedThreshold() throws {
        let data = Self.dataset(people: 6, photos: 5, strangers: 6, seed: 5)
        let result = try OpenSetCalibration.calibrate(
            data, candidate: .knn(k: 3), options: Self.options(.knn), target: 0.01, fixed: .init(minProba: 0.2))
        #expect(result.rule.minProba == 0.2)
        #expect(result.estimate.method == "cross-validation")
        #expect(result.estimate.byMinProba.map(\.minProba) == [0.2])
    }
}
