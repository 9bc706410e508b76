using System.Text;
using Proxy.LoadClient.Load;
using Proxy.LoadClient.Soak;

namespace Proxy.LoadClient.Tests.Soak;

public sealed class SoakProbesTests
{
    [Fact]
    public void Status_gives_resident_memory_and_threads()
    {
        const string status = "Name:\tProxy.Web\nVmHWM:\t  140000 kB\nVmRSS:\t  131072 kB\nThreads:\t23\nSigQ:\t0/1\n";

        Assert.Equal(((long?)131072, (int?)23), SoakSampler.ParseStatus(status));
        Assert.Equal(((long?)null, (int?)null), SoakSampler.ParseStatus("Name:\tx\n"));
    }

    [Fact]
    public void Detailed_health_gives_gc_heap_and_active_streams()
    {
        const string json = """{"status":"ok","streams":{"active":7,"limit":1000},"memory":{"working_set_bytes":1,"gc_heap_bytes":52428800}}""";

        Assert.Equal(((long?)52428800, (long?)7), SoakSampler.ParseHealth(json));
        Assert.Equal(((long?)null, (long?)null), SoakSampler.ParseHealth("""{"streams":{"active":"x"}}"""));
        Assert.Equal(((long?)null, (long?)null), SoakSampler.ParseHealth("not json"));
    }

    [Theory]
    [InlineData("/usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.12/System.Net.Quic.dll", true)]
    [InlineData("/usr/lib/x86_64-linux-gnu/libssl.so.3", true)]
    [InlineData("/usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.12/libSystem.Native.so", true)]
    [InlineData("socket:[12345]", false)]
    [InlineData("/tmp/qwen/oauth_creds.json", false)]
    [InlineData("anon_inode:[eventpoll]", false)]
    public void Loaded_code_is_not_counted_as_an_open_descriptor(string target, bool code) =>
        Assert.Equal(code, SoakSampler.IsLoadedCode(target));

    [Fact]
    public void Sockets_are_named_by_state_and_peer()
    {
        const string tcp = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:21A3 0100007F:D431 08 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 20 4 0 10 -1
               1: 0100007F:C350 0100007F:4793 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 20 4 0 10 -1
            """;
        var sockets = new Dictionary<string, string>();

        FdSnapshot.ParseTcp(tcp, sockets);

        Assert.Equal("tcp CLOSE_WAIT 127.0.0.1:8611 -> 127.0.0.1:54321", FdSnapshot.Describe("socket:[4242]", sockets));
        Assert.Equal("tcp ESTABLISHED 127.0.0.1:50000 -> 127.0.0.1:18323", FdSnapshot.Describe("socket:[4343]", sockets));
        Assert.Equal("socket (not TCP)", FdSnapshot.Describe("socket:[1]", sockets));
        Assert.Equal("pipe", FdSnapshot.Describe("pipe:[77]", sockets));
    }

    [Fact]
    public void Error_code_is_read_from_an_openai_error_body()
    {
        Assert.Equal("circuit_open", RequestRunner.ErrorCode("""{"error":{"message":"m","type":"t","param":null,"code":"circuit_open"}}"""u8));
        Assert.Null(RequestRunner.ErrorCode("""{"error":{"message":"m","code":null}}"""u8));
        Assert.Null(RequestRunner.ErrorCode("<html>502</html>"u8));
        Assert.Null(RequestRunner.ErrorCode(""u8));
    }

    [Fact]
    public void Relay_finds_the_marked_scenario()
    {
        Assert.Equal("fault=reset_mid:4", FaultRelay.FindScenario(Encoding.UTF8.GetBytes("""{"content":"Say hello. [soak-scenario:fault=reset_mid:4]"}""")));
        Assert.Null(FaultRelay.FindScenario("""{"content":"Say hello."}"""u8));
        Assert.Null(FaultRelay.FindScenario("""{"content":"[soak-scenario:]"}"""u8));
        Assert.Null(FaultRelay.FindScenario("""{"content":"[soak-scenario:fault=503"}"""u8));
    }
}
