using Proxy.Web.Protocols;

namespace Proxy.Web.Tests.Protocols;

public sealed class ChatToolCallTests
{
    [Fact]
    public void A_whole_call_gives_its_index_and_the_escaped_bodies_of_its_strings()
    {
        var (index, id, name, arguments, after) = Read("""[{"index":2,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},7]""");

        Assert.Equal(2, index);
        Assert.Equal("call_1", id);
        Assert.Equal("get_weather", name);
        Assert.Equal("""{\"city\":\"Paris\"}""", arguments);
        Assert.Equal(JsonTokenType.Number, after);
    }

    [Fact]
    public void Absent_null_and_non_string_fields_read_as_empty_and_unknown_ones_are_skipped()
    {
        var (index, id, name, arguments, after) = Read("""[{"extra":{"deep":[1,{"id":"no"}]},"id":null,"function":{"name":{"x":"y"},"arguments":["a"],"more":1}},7]""");

        Assert.Equal(-1, index);
        Assert.Equal("", id);
        Assert.Equal("", name);
        Assert.Equal("", arguments);
        Assert.Equal(JsonTokenType.Number, after);
    }

    [Fact]
    public void A_function_that_is_not_an_object_and_an_index_that_is_not_a_number_are_skipped()
    {
        var (index, id, name, arguments, after) = Read("""[{"index":"1","function":"f","id":"call_2"},7]""");

        Assert.Equal(-1, index);
        Assert.Equal("call_2", id);
        Assert.Equal("", name);
        Assert.Equal("", arguments);
        Assert.Equal(JsonTokenType.Number, after);
    }

    /// <summary>Reads the first entry of <paramref name="json"/>, then the token after it (to see where the reader stopped).</summary>
    private static (long Index, string Id, string Name, string Arguments, JsonTokenType After) Read(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes);
        reader.Read();
        reader.Read();
        var call = ChatToolCall.Read(ref reader);
        var result = (call.Index, Encoding.UTF8.GetString(call.Id), Encoding.UTF8.GetString(call.Name), Encoding.UTF8.GetString(call.Arguments));
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        reader.Read();
        return (result.Index, result.Item2, result.Item3, result.Item4, reader.TokenType);
    }
}
