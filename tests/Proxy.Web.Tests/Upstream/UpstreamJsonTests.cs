using System.Text;
using Proxy.Web.Upstream;

namespace Proxy.Web.Tests.Upstream;

public sealed class UpstreamJsonTests
{
    [Theory]
    [InlineData("""{"id":"chatcmpl-1","choices":[{"message":{"content":"hi"}}]}""")]
    [InlineData("  {\"a\":[1,2,{\"b\":null}]}\r\n")]
    [InlineData("\uFEFF{\"a\":1}")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    public void A_whole_document_is_complete(string body) =>
        Assert.True(UpstreamJson.IsCompleteDocument(Encoding.UTF8.GetBytes(body)));

    [Theory]
    [InlineData("""{"id":"chatcmpl-1","choices":[{"message":{"content":"hi"}}]""")]
    [InlineData("""{"id":"chatcmpl-1","choices":[{"message":{"content":"h""")]
    [InlineData("{")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{\"a\":1}{\"a\":2}")]
    [InlineData("{\"a\":1} trailing")]
    [InlineData("{\"a\":1,}")]
    [InlineData("<html>502 Bad Gateway</html>")]
    public void A_cut_empty_or_padded_body_is_not(string body) =>
        Assert.False(UpstreamJson.IsCompleteDocument(Encoding.UTF8.GetBytes(body)));
}
