import ArgumentParser
import Foundation
import Training
import Workers

struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Choose the open-set thresholds for a target stranger-acceptance rate.",
        discussion: """
            Tries minProba from 0 to 1 and maxDistance from 0.30 to 0.80 on labelled encodings that \
            include strangers (the Unknown class, or people the model does not know), keeps the pairs \
            whose stranger acceptance is at or below the target, and picks the one that names the most \
            known faces. Writes the model with those thresholds.

            Example:
              zmface calibrate faces.model calibration-encodings.json --target-stranger-acceptance 0.01
            """
    )

    @Argument(help: "Model file from `zmface train`.") var model: String
    @Argument(help: "Labelled encodings with strangers among them.") var encodings: String
    @Option(help: "Highest acceptable share of strangers named as a known person.")
    var targetStrangerAcceptance: Double = 0.01
    @Option(help: "Where to write the calibrated model (default: replace MODEL).") var out: String?

    func run() throws {
        do {
            let url = URL(fileURLWithPath: model)
            var fitted = try FaceClassifierModel.load(from: url)
            let data = try EncodingSet.load(from: URL(fileURLWithPath: encodings)).labelled
            let strangerClass = fitted.openSet.unknownClass
            guard
                data.labels.contains(where: {
                    data.classes[$0] == strangerClass || !fitted.classes.contains(data.classes[$0])
                })
            else {
                throw CommandError.message("\(encodings): no strangers to calibrate on (add Unknown or unseen people)")
            }
            var best: (rule: FaceClassifierModel.OpenSetRule, point: ClassifierEvaluation.OperatingPoint)?
            for distanceStep in 0...25 {
                var rule = fitted.openSet
                rule.maxDistance = 0.3 + Double(distanceStep) * 0.02
                let calibrating = FaceClassifier(
                    model: {
                        var m = fitted
                        m.openSet = rule
                        return m
                    }())
                let evaluation = try ClassifierEvaluation.evaluate(
                    calibrating, on: data, thresholds: (0...100).map { Double($0) / 100 })
                for point in evaluation.sweep where point.strangerAcceptance <= targetStrangerAcceptance {
                    var candidate = rule
                    candidate.minProba = point.minProba
                    if best == nil || point.coverage > best!.point.coverage
                        || (point.coverage == best!.point.coverage && point.accuracy > best!.point.accuracy)
                    {
                        best = (candidate, point)
                    }
                }
            }
            guard let best else {
                throw CommandError.message("no thresholds reach a stranger acceptance of \(targetStrangerAcceptance)")
            }
            fitted.openSet = best.rule
            try fitted.write(to: out.map { URL(fileURLWithPath: $0) } ?? url)
            print(
                String(
                    format:
                        "minProba %.2f, maxDistance %.2f: coverage %.3f, accuracy %.3f, strangers accepted %.3f; wrote %@",
                    best.rule.minProba, best.rule.maxDistance, best.point.coverage, best.point.accuracy,
                    best.point.strangerAcceptance, out ?? model))
        } catch {
            CommandError.report(error)
            throw ExitCode.failure
        }
    }
}
