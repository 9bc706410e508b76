using System.Globalization;

namespace Proxy.LoadClient.Hosting;

/// <summary>Resident memory of a process and its children from /proc (kilobytes).</summary>
internal static class ProcMemory
{
    /// <summary>VmRSS and VmHWM of one process; zeros when it is gone.</summary>
    public static (long RssKb, long HwmKb) Read(int pid)
    {
        try
        {
            return Parse(File.ReadAllText($"/proc/{pid}/status"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (0, 0);
        }
    }

    /// <summary>VmRSS and VmHWM summed over a process and its direct children (nginx master and workers).</summary>
    public static (long RssKb, long HwmKb) ReadTree(int pid)
    {
        var (rss, hwm) = Read(pid);
        foreach (var child in Children(pid))
        {
            var (r, h) = Read(child);
            rss += r;
            hwm += h;
        }

        return (rss, hwm);
    }

    internal static (long RssKb, long HwmKb) Parse(string status)
    {
        long rss = 0, hwm = 0;
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kb(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = Kb(line);
            }
        }

        return (rss, hwm);
    }

    private static long Kb(string line)
    {
        var parts = line.Split(' ', '\t').Where(p => p.Length > 0).ToArray();
        return parts.Length >= 2 ? long.Parse(parts[1], CultureInfo.InvariantCulture) : 0;
    }

    private static IEnumerable<int> Children(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/task/{pid}/children");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            yield return int.Parse(part, CultureInfo.InvariantCulture);
        }
    }
}
