namespace Proxy.Web.Protocols.Responses;

/// <summary>
/// Where the ids of a Response and its items come from (<c>resp_…</c>, <c>msg_…</c>, <c>fc_…</c>,
/// <c>rs_…</c>, <c>call_…</c>); passed in so that tests can make them exact.
/// </summary>
internal interface IResponseIds
{
    /// <summary>A new id starting with <paramref name="prefix"/> (such as <c>resp_</c>), ASCII only.</summary>
    string Next(string prefix);
}
