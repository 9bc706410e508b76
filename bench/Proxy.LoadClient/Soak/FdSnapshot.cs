using System.Globalization;

namespace Proxy.LoadClient.Soak;

/// <summary>
/// What a process's descriptors point at (<c>/proc/PID/fd</c> links), so a soak that ends with more
/// open than at idle can say what they are: a TCP socket by its state and peer (from
/// <c>/proc/PID/net/tcp</c> and <c>tcp6</c>), anything else by its link text.
/// </summary>
internal sealed class FdSnapshot
{
    private readonly Dictionary<int, string> _targets;

    private FdSnapshot(Dictionary<int, string> targets) => _targets = targets;

    public static FdSnapshot Take(int pid)
    {
        var targets = new Dictionary<int, string>();
        try
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var fd)
                    && new FileInfo(entry).LinkTarget is { } target)
                {
                    targets[fd] = target;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone or not ours: an empty snapshot.
        }

        return new FdSnapshot(targets);
    }

    /// <summary>The descriptors open now that were not open (to the same thing) in <paramref name="before"/>, grouped and counted, most first.</summary>
    public IReadOnlyList<string> NewSince(FdSnapshot before, int pid)
    {
        var sockets = Sockets(pid);
        return _targets
            .Where(p => !SoakSampler.IsLoadedCode(p.Value) && (!before._targets.TryGetValue(p.Key, out var was) || was != p.Value))
            .Select(p => Describe(p.Value, sockets))
            .GroupBy(d => d, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Count()} x {g.Key}")
            .ToArray();
    }

    internal static string Describe(string target, IReadOnlyDictionary<string, string> sockets)
    {
        if (target.StartsWith("socket:[", StringComparison.Ordinal) && target.EndsWith(']'))
        {
            var inode = target["socket:[".Length..^1];
            return sockets.TryGetValue(inode, out var tcp) ? tcp : "socket (not TCP)";
        }

        return target.StartsWith("pipe:", StringComparison.Ordinal) ? "pipe" : target;
    }

    /// <summary>TCP sockets by inode from <c>/proc/PID/net/tcp</c>-style text: "tcp STATE local -> remote".</summary>
    internal static void ParseTcp(string text, IDictionary<string, string> into)
    {
        foreach (var line in text.Split('\n').Skip(1))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 10)
            {
                continue;
            }

            into[f[9]] = $"tcp {State(f[3])} {Endpoint(f[1])} -> {Endpoint(f[2])}";
        }
    }

    private static Dictionary<string, string> Sockets(int pid)
    {
        var sockets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in new[] { "tcp", "tcp6" })
        {
            try
            {
                ParseTcp(File.ReadAllText($"/proc/{pid}/net/{file}"), sockets);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // No such table.
            }
        }

        return sockets;
    }

    /// <summary>"0100007F:1F97" as "127.0.0.1:8087"; an IPv6 address is shown by its port alone.</summary>
    private static string Endpoint(string hex)
    {
        var colon = hex.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return hex;
        }

        var port = int.Parse(hex[(colon + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        var address = hex[..colon];
        if (address.Length != 8)
        {
            return (address == "0000000000000000FFFF00000100007F" ? "127.0.0.1" : "[v6]") + ":" + port;
        }

        var bytes = Convert.FromHexString(address);
        return $"{bytes[3]}.{bytes[2]}.{bytes[1]}.{bytes[0]}:{port}";
    }

    private static string State(string hex) => hex switch
    {
        "01" => "ESTABLISHED",
        "02" => "SYN_SENT",
        "03" => "SYN_RECV",
        "04" => "FIN_WAIT1",
        "05" => "FIN_WAIT2",
        "06" => "TIME_WAIT",
        "07" => "CLOSE",
        "08" => "CLOSE_WAIT",
        "09" => "LAST_ACK",
        "0A" => "LISTEN",
        "0B" => "CLOSING",
        _ => "state " + hex,
    };
}
