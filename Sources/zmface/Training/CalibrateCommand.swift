import ArgumentParser
import Foundation
import Training
import Workers

struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Choose the open-set thresholds for a target stranger-acceptance rate.",
        discussion: """
            Scores labelled encodings that include strangers (the Unknown class, or people the model \
            does not know) with the model, tries minProba, maxDistance and minMargin on the same grid \
            as `zmface train`, keeps the rules whose stranger acceptance is at or below the target, \
            and picks the one that names the most known faces correctly. Writes the model with that \
            rule and its figures. (`train` already does this by cross-validation; use this with \
            photos the model was not trained on.)

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
            let samples = try OpenSetCalibration.judge(data, by: FaceClassifier(model: fitted))
            let people = fitted.classes.filter { $0 != strangerClass }
            let chosen = OpenSetCalibration.choose(
                samples, base: fitted.openSet, target: targetStrangerAcceptance, people: people, basis: .separateData)
            fitted.openSet = chosen.rule
            fitted.calibration = chosen.estimate
            try fitted.write(to: out.map { URL(fileURLWithPath: $0) } ?? url)
            print(chosen.summary)
            print(
                String(
                    format:
                        "minProba %.2f, maxDistance %.2f, minMargin %.2f: coverage %.3f, strangers accepted %.3f; wrote %@",
                    chosen.rule.minProba, chosen.rule.maxDistance, chosen.rule.minMargin,
                    chosen.estimate.namedCorrectly, chosen.estimate.strangersNamed, out ?? model))
        } catch {
            CommandError.report(error)
            throw ExitCode.failure
        }
    }
}
