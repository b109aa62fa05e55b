using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace PosGreenPoints.LocalRunner;

/// <summary>
/// Invokes one function method as the isolated worker does: a new instance of its class from the
/// invocation's service scope, the trigger value for the trigger parameter, binding data (route values,
/// queue message properties) for parameters of the same name, and the cancellation token.
/// </summary>
public sealed class FunctionInvoker
{
    private readonly MethodInfo _method;
    private readonly ParameterInfo[] _parameters;

    public FunctionInvoker(FunctionApp app, FunctionMetadata function)
    {
        Function = function;
        var split = function.EntryPoint.LastIndexOf('.');
        var type = app.Assembly.GetType(function.EntryPoint[..split], throwOnError: false)
            ?? throw new RunnerStartupException($"Function {function.Name}: no type {function.EntryPoint[..split]}.");
        _method = type.GetMethod(function.EntryPoint[(split + 1)..], BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            ?? throw new RunnerStartupException($"Function {function.Name}: no public method {function.EntryPoint}.");
        _parameters = _method.GetParameters();

        // A thin host: triggers only. The app injects SDK clients instead of using input or output
        // bindings, so a function that declares one is refused rather than half served.
        var unsupported = function.Bindings.FirstOrDefault(binding =>
            binding != function.Trigger && !(binding.Type == "http" && binding.Direction == "Out"));
        if (unsupported is not null)
        {
            throw new RunnerStartupException($"Function {function.Name}: the local runner serves triggers only, not the '{unsupported.Type}' binding '{unsupported.Name}'.");
        }

        var context = _parameters.FirstOrDefault(parameter => parameter.ParameterType.Name == "FunctionContext");
        if (context is not null)
        {
            throw new RunnerStartupException($"Function {function.Name}: the local runner does not provide FunctionContext; take a CancellationToken and inject ILogger<T> instead.");
        }
    }

    public FunctionMetadata Function { get; }

    public string TriggerParameterName => Function.Trigger.Name;

    /// <summary>Runs the function and returns what it returned, awaited.</summary>
    public async Task<object?> InvokeAsync(
        IServiceProvider scopedServices,
        Func<Type, object?> triggerValue,
        IReadOnlyDictionary<string, object?> bindingData,
        CancellationToken cancellationToken)
    {
        var arguments = new object?[_parameters.Length];
        for (var index = 0; index < _parameters.Length; index++)
        {
            var parameter = _parameters[index];
            arguments[index] = parameter switch
            {
                _ when parameter.ParameterType == typeof(CancellationToken) => cancellationToken,
                _ when string.Equals(parameter.Name, TriggerParameterName, StringComparison.Ordinal) => triggerValue(parameter.ParameterType),
                _ => FromBindingData(parameter, bindingData),
            };
        }

        var instance = _method.IsStatic ? null : ActivatorUtilities.CreateInstance(scopedServices, _method.DeclaringType!);
        try
        {
            var returned = _method.Invoke(instance, BindingFlags.DoNotWrapExceptions, binder: null, arguments, CultureInfo.InvariantCulture);
            return await AwaitResult(returned);
        }
        finally
        {
            switch (instance)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    private static async Task<object?> AwaitResult(object? returned)
    {
        switch (returned)
        {
            case Task task:
                await task;
                var type = task.GetType();
                return type.IsGenericType && type.GetGenericArguments()[0].Name != "VoidTaskResult"
                    ? type.GetProperty(nameof(Task<object>.Result))!.GetValue(task)
                    : null;
            case ValueTask valueTask:
                await valueTask;
                return null;
            case not null when returned.GetType() is { IsGenericType: true } valueTaskType && valueTaskType.GetGenericTypeDefinition() == typeof(ValueTask<>):
                var asTask = (Task)valueTaskType.GetMethod(nameof(ValueTask<object>.AsTask))!.Invoke(returned, null)!;
                return await AwaitResult(asTask);
            default:
                return returned;
        }
    }

    private static object? FromBindingData(ParameterInfo parameter, IReadOnlyDictionary<string, object?> bindingData)
    {
        var match = bindingData.FirstOrDefault(pair => string.Equals(pair.Key, parameter.Name, StringComparison.OrdinalIgnoreCase));
        return ConvertTo(match.Value, parameter.ParameterType);
    }

    /// <summary>Converts a trigger or binding-data value to the parameter's type the way the worker's converters do for the simple cases.</summary>
    public static object? ConvertTo(object? value, Type target)
    {
        var underlying = Nullable.GetUnderlyingType(target) ?? target;
        if (value is null)
        {
            return target.IsValueType && Nullable.GetUnderlyingType(target) is null ? Activator.CreateInstance(target) : null;
        }

        if (underlying.IsInstanceOfType(value))
        {
            return value;
        }

        if (value is string text)
        {
            var converter = TypeDescriptor.GetConverter(underlying);
            if (converter.CanConvertFrom(typeof(string)))
            {
                return converter.ConvertFromInvariantString(text);
            }

            return JsonSerializer.Deserialize(text, target, FunctionMetadata.JsonOptions);
        }

        if (value is BinaryData binary)
        {
            return underlying == typeof(byte[]) ? binary.ToArray() : ConvertTo(binary.ToString(), target);
        }

        return Convert.ChangeType(value, underlying, CultureInfo.InvariantCulture);
    }
}
