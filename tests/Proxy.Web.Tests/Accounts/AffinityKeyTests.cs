using Proxy.Web.Accounts;

namespace Proxy.Web.Tests.Accounts;

public sealed class AffinityKeyTests
{
    private static readonly AffinityOptions On = new();

    private static ulong? Key(string body, string? header = null, AffinityOptions? options = null) =>
        AffinityKey.Compute(options ?? On, header, Encoding.UTF8.GetBytes(body));

    [Fact]
    public void The_header_wins_over_everything_in_the_body()
    {
        Assert.Equal(Key("{}", "session-1"), Key("""{"prompt_cache_key":"other","messages":[{"role":"user","content":"x"}]}""", " session-1 "));
        Assert.NotEqual(Key("{}", "session-1"), Key("{}", "session-2"));
    }

    [Fact]
    public void Prompt_cache_key_then_user_then_metadata_user_id_name_the_session()
    {
        var viaCacheKey = Key("""{"user":"u1","prompt_cache_key":"conv-9","metadata":{"user_id":"m1"}}""");
        var viaUser = Key("""{"metadata":{"user_id":"m1"},"user":"u1"}""");
        var viaMetadata = Key("""{"metadata":{"other":[1,{"x":2}],"user_id":"m1"},"messages":[{"role":"user","content":"a"}]}""");

        Assert.Equal(Key("{}", "conv-9"), viaCacheKey);
        Assert.Equal(Key("{}", "u1"), viaUser);
        Assert.Equal(Key("{}", "m1"), viaMetadata);
    }

    [Fact]
    public void Without_a_name_the_first_messages_identify_the_conversation_as_it_grows()
    {
        const string opening = """{"role":"system","content":"Be brief"},{"role":"user","content":"Fix my build"}""";
        var first = Key("""{"model":"m","messages":[""" + opening + """]}""");
        var later = Key("""{"messages":[""" + opening + """,{"role":"assistant","content":"Done"},{"role":"user","content":"Thanks"}],"model":"m","stream":true}""");
        var other = Key("""{"messages":[{"role":"system","content":"Be brief"},{"role":"user","content":"Write a poem"}]}""");

        Assert.NotNull(first);
        Assert.Equal(first, later);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void No_key_when_affinity_is_off_or_nothing_names_the_session()
    {
        Assert.Null(Key("""{"user":"u1"}""", "h", AffinityOptions.Off));
        Assert.Null(Key("""{"model":"m","messages":[]}"""));
        Assert.Null(Key("""{"messages":[{"role":"user","content":"a"}]}""", options: new AffinityOptions { HashedMessages = 0 }));
        Assert.Null(Key("not json"));
    }
}
