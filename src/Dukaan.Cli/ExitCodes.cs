namespace Dukaan.Cli;

/// <summary>The exit codes CI pipelines gate on (DESIGN.md, "The flow of one run", step 6).</summary>
public static class ExitCodes
{
    public const int Certified = 0;
    public const int RuleFailed = 1;
    public const int HarnessOrConfigError = 2;
    public const int NothingSelected = 3;

    /// <summary>The same 0 for the commands that certify nothing (report, compare, init, …): they did what was asked.</summary>
    public const int Success = Certified;
}
