using Proxy.Web.Protocols.Responses;

namespace Proxy.Web.Tests.Protocols.Responses;

/// <summary>Ids that count per prefix (<c>resp_1</c>, <c>msg_1</c>, <c>fc_1</c>, <c>fc_2</c>), so goldens are exact.</summary>
internal sealed class SequentialResponseIds : IResponseIds
{
    private readonly Dictionary<string, int> _next = [];

    public string Next(string prefix)
    {
        var n = _next.GetValueOrDefault(prefix) + 1;
        _next[prefix] = n;
        return prefix + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
