using Proxy.LoadClient.Hosting;

namespace Proxy.LoadClient.Tests.Hosting;

public sealed class ProcMemoryTests
{
    [Fact]
    public void Status_gives_rss_and_high_water_mark_in_kb()
    {
        const string status = "Name:\tdotnet\nVmPeak:\t 3000000 kB\nVmHWM:\t  123456 kB\nVmRSS:\t   98765 kB\nThreads:\t20\n";

        Assert.Equal((98765L, 123456L), ProcMemory.Parse(status));
    }

    [Fact]
    public void Own_process_reads_a_positive_resident_size()
    {
        var (rss, hwm) = ProcMemory.Read(Environment.ProcessId);

        Assert.True(rss > 0);
        Assert.True(hwm >= rss);
    }

    [Fact]
    public void Gone_process_reads_zero()
    {
        Assert.Equal((0L, 0L), ProcMemory.Read(int.MaxValue));
    }
}
