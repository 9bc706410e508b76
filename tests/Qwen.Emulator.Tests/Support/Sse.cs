namespace Qwen.Emulator.Tests.Support;

/// <summary>Splits an SSE body into its <c>data:</c> payloads, strictly: every event must be one data line and a blank line.</summary>
internal static class Sse
{
    public static IReadOnlyList<string> Payloads(string body)
    {
        Assert.EndsWith("\n\n", body);
        var events = body[..^2].Split("\n\n");
        return [.. events.Select(e =>
        {
            Assert.StartsWith("data: ", e);
            Assert.DoesNotContain('\n', e);
            return e["data: ".Length..];
        })];
    }

    /// <summary>Complete events (ended by a blank line) in a partial body.</summary>
    public static int CountEvents(string partial) => partial.Split("\n\n").Length - 1;
}
