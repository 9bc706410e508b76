using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Proxy.LoadClient.Report;

namespace Proxy.LoadClient.Soak;

/// <summary>
/// Reads the proxy's resources: resident memory and threads from <c>/proc/PID/status</c>, open file
/// descriptors by counting <c>/proc/PID/fd</c> (loaded assemblies and libraries left out), the GC heap and the active streams from its
/// <c>/health/detailed</c> (<c>memory.gc_heap_bytes</c>, <c>streams.active</c>).
/// </summary>
internal sealed class SoakSampler(int pid, Uri health, string apiKey, HttpClient client)
{
    public async Task<SoakSample> ReadAsync(double seconds, CancellationToken cancellationToken)
    {
        var (rss, threads) = ReadStatus(pid);
        var fds = CountFds(pid);
        var (heap, streams) = await ReadHealthAsync(cancellationToken);
        return new SoakSample(seconds, rss, heap, threads, fds, streams);
    }

    /// <summary>VmRSS (KB) and Threads of a <c>/proc/PID/status</c> text; null where a line is missing.</summary>
    internal static (long? RssKb, int? Threads) ParseStatus(string status)
    {
        long? rss = null;
        int? threads = null;
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.TryParse(Field(line), NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb) ? kb : null;
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.TryParse(Field(line), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
            }
        }

        return (rss, threads);
    }

    /// <summary><c>memory.gc_heap_bytes</c> and <c>streams.active</c> of a <c>/health/detailed</c> answer; null where absent.</summary>
    internal static (long? GcHeapBytes, long? Streams) ParseHealth(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            return (Number(root, "memory", "gc_heap_bytes"), Number(root, "streams", "active"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static (long? RssKb, int? Threads) ReadStatus(int pid)
    {
        try
        {
            return ParseStatus(File.ReadAllText($"/proc/{pid}/status"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, null);
        }
    }

    /// <summary>Open descriptors, not counting loaded code (assemblies and native libraries the runtime opens once, on first use).</summary>
    private static int? CountFds(int pid)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count(fd => !IsLoadedCode(LinkTarget(fd)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A file the runtime keeps open because it loaded code from it: an assembly or a shared library.</summary>
    internal static bool IsLoadedCode(string? target) =>
        target is not null && target.StartsWith('/')
        && (target.EndsWith(".dll", StringComparison.Ordinal) || target.EndsWith(".so", StringComparison.Ordinal) || target.Contains(".so.", StringComparison.Ordinal));

    private static string? LinkTarget(string fd)
    {
        try
        {
            return new FileInfo(fd).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // closed while counting
        }
    }

    private async Task<(long?, long?)> ReadHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            using var request = new HttpRequestMessage(HttpMethod.Get, health);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            using var response = await client.SendAsync(request, timeout.Token);
            return response.IsSuccessStatusCode ? ParseHealth(await response.Content.ReadAsStringAsync(timeout.Token)) : (null, null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (null, null);
        }
    }

    private static string Field(string line) =>
        line.Split(' ', '\t').Where(p => p.Length > 0).Skip(1).FirstOrDefault() ?? "";

    private static long? Number(JsonElement root, string section, string name) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty(section, out var part)
        && part.ValueKind == JsonValueKind.Object
        && part.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.Number
        && value.TryGetInt64(out var number)
            ? number
            : null;
}
