using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Proxy.LoadClient.Report;

/// <summary>What the figures were measured on.</summary>
internal sealed record MachineInfo(
    int Cores, string Cpu, long MemoryMb, string Kernel, string Runtime, string Nginx, string Commit, double? LoadAverage, long OpenFilesLimit)
{
    public static MachineInfo Collect(string repoRoot)
    {
        var cpu = FirstValue("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memKb = FirstValue("/proc/meminfo", "MemTotal")?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return new MachineInfo(
            Environment.ProcessorCount,
            cpu,
            memKb is null ? 0 : long.Parse(memKb, CultureInfo.InvariantCulture) / 1024,
            ReadOr("/proc/sys/kernel/osrelease", RuntimeInformation.OSDescription).Trim(),
            RuntimeInformation.FrameworkDescription,
            Run("nginx", ["-v"], repoRoot)?.Replace("nginx version: nginx/", "", StringComparison.Ordinal) ?? "not installed",
            Run("git", ["rev-parse", "--short", "HEAD"], repoRoot) ?? "unknown",
            CurrentLoadAverage(),
            ReadOpenFilesLimit());
    }

    public static double? CurrentLoadAverage()
    {
        var text = ReadOr("/proc/loadavg", "");
        var first = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
    }

    private static long ReadOpenFilesLimit()
    {
        foreach (var line in ReadOr("/proc/self/limits", "").Split('\n'))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                var parts = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : -1;
            }
        }

        return -1;
    }

    private static string? FirstValue(string file, string key)
    {
        foreach (var line in ReadOr(file, "").Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim() == key)
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }

    private static string ReadOr(string file, string fallback)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return fallback;
        }
    }

    private static string? Run(string file, string[] args, string workingDirectory)
    {
        try
        {
            var info = new ProcessStartInfo(file)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = workingDirectory,
            };
            foreach (var arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            using var process = Process.Start(info);
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
