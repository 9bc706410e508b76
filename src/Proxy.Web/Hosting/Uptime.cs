namespace Proxy.Web.Hosting;

/// <summary>Time since the host was built, on the injected <see cref="TimeProvider"/>.</summary>
internal sealed class Uptime(TimeProvider time)
{
    private readonly long _start = time.GetTimestamp();

    public TimeSpan Elapsed => time.GetElapsedTime(_start);
}
