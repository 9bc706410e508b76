using System.Globalization;

namespace Proxy.LoadClient.Stub;

/// <summary>The part of the emulator's scenario grammar the stub honours: <c>chunks=N;delay_ms=N</c>.</summary>
internal sealed record StubScenario(int Chunks, int DelayMs)
{
    public static StubScenario Default { get; } = new(8, 0);

    public static StubScenario Parse(string? text, StubScenario? fallback = null)
    {
        var scenario = fallback ?? Default;
        foreach (var part in (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !int.TryParse(part[(eq + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 0)
            {
                continue;
            }

            scenario = part[..eq] switch
            {
                "chunks" => scenario with { Chunks = value },
                "delay_ms" => scenario with { DelayMs = value },
                _ => scenario,
            };
        }

        return scenario;
    }
}
