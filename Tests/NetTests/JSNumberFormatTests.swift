import Foundation
import Net
import NetTestSupport
import Testing

/// Numbers in error messages as Node prints them (`util.inspect`, and `ERR_OUT_OF_RANGE`'s
/// `addNumericalSeparator(String(n))` above 2³²), against node: integers beyond 2⁵³ and up to `Int.min`
/// and `Int.max`, exponential forms, fractions, -0.
@Suite struct JSNumberFormatTests {
    static let values: [Double] = [
        Double(Int.min), Double(Int.max), 9_007_199_254_740_994, 1_152_921_504_606_846_976, -4_294_967_297,
        4_294_967_296, 12_345_678_901, -1, 0, -0.0, 1e20, 1e21, -1.5e22, 1.2345678901234568e20, 1e-7,
        1.5e-7, 0.000001, 0.1, 123.456, -0.001, Double.leastNonzeroMagnitude, 1.7976931348623157e308, .nan, -.infinity,
    ]

    static let script = #"""
    const { codes } = require('internal/errors');
    const { inspect } = require('util');
    const out = process.argv.slice(1).map(Number).map((n) => [inspect(n), new codes.ERR_OUT_OF_RANGE('x', 'y', n).message]);
    console.log(JSON.stringify(out));
    """#

    /// The value as text JavaScript's `Number()` reads back exactly (Swift writes `nan`, `-inf`).
    static func argument(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return "\(value)"
    }

    @Test func inspectAndOutOfRangeMatchNode() throws {
        let run = try Node.run(Self.script, flags: ["--expose-internals"], arguments: ["--"] + Self.values.map(Self.argument))
        #expect(run.status == 0, "\(run.stderr)")
        let expected = try JSONDecoder().decode([[String]].self, from: Data(run.stdout.utf8))
        try #require(expected.count == Self.values.count)
        for (value, node) in zip(Self.values, expected) {
            #expect(JSValue.number(value).inspected == node[0], "\(value)")
            #expect(NetError.outOfRange("x", "y", .number(value)).message == node[1], "\(value)")
        }
    }
}
