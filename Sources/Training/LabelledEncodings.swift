import Workers
public import ZMFaceCore

/// Face encodings with their identity labels: what training and evaluation work on.
public struct LabelledEncodings: Sendable {
    /// The distinct labels, sorted (the original's LabelEncoder order).
    public let classes: [String]
    public let encodings: [FaceEncoding]
    /// Index into `classes` for each encoding.
    public let labels: [Int]

    public init(encodings: [FaceEncoding], names: [String]) {
        precondition(encodings.count == names.count, "one name per encoding")
        let classes = Array(Set(names)).sorted()
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        self.classes = classes
        self.encodings = encodings
        self.labels = names.map { index[$0]! }
    }

    init(classes: [String], encodings: [FaceEncoding], labels: [Int]) {
        self.classes = classes
        self.encodings = encodings
        self.labels = labels
    }

    public var count: Int { encodings.count }

    public func subset(_ indices: [Int]) -> LabelledEncodings {
        LabelledEncodings(
            classes: classes, encodings: indices.map { encodings[$0] }, labels: indices.map { labels[$0] })
    }

    public func counts() -> [Int] {
        var counts = [Int](repeating: 0, count: classes.count)
        for label in labels { counts[label] += 1 }
        return counts
    }

    /// A stratified split: each class contributes `testFraction` of its samples (at least one when it
    /// has two or more) to the test side.
    public func stratifiedSplit(testFraction: Double, seed: UInt64) -> (train: [Int], test: [Int]) {
        var generator = SeededGenerator(seed: seed)
        var train: [Int] = []
        var test: [Int] = []
        for label in classes.indices {
            var members = labels.indices.filter { labels[$0] == label }
            members.shuffle(using: &generator)
            let testCount = members.count < 2 ? 0 : max(1, Int((Double(members.count) * testFraction).rounded()))
            test += members.prefix(testCount)
            train += members.dropFirst(testCount)
        }
        return (train.sorted(), test.sorted())
    }

    /// Stratified k-fold: `folds` disjoint test sets, each class spread evenly over them.
    public func stratifiedFolds(_ folds: Int, seed: UInt64) -> [[Int]] {
        var generator = SeededGenerator(seed: seed)
        var result = [[Int]](repeating: [], count: folds)
        var next = 0
        for label in classes.indices {
            var members = labels.indices.filter { labels[$0] == label }
            members.shuffle(using: &generator)
            for member in members {
                result[next % folds].append(member)
                next += 1
            }
        }
        return result.map { $0.sorted() }
    }
}
