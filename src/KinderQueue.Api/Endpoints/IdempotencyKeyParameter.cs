using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace KinderQueue.Api.Endpoints;

/// <summary>
/// Documents the Idempotency-Key header on every command (routes marked with
/// <see cref="CommandEndpoint.AcceptsIdempotencyKey"/>): clients generated from the OpenAPI
/// document must be able to send it, since a retry without it may append twice.
/// </summary>
public static class IdempotencyKeyParameter
{
    public static Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<IdempotentCommand>().Any()) return Task.CompletedTask;
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = CommandEndpoint.IdempotencyHeader,
            In = ParameterLocation.Header,
            Required = false,
            Description = "A key the client chooses per intended change (a UUID): a retry with the same key gets the first response " +
                "instead of a second change, for 24 hours. 1–128 printable ASCII characters; scoped to the caller's account.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 128, Pattern = "^[\\x21-\\x7E]{1,128}$" },
        });
        return Task.CompletedTask;
    }
}
