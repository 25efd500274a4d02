Attribute VB_Name = "Ribbon"
' Ribbon callbacks of the tab defined in customUI/customUI14.xml.
' ASCII only: the VBA project's code page would turn Chinese into ????.
' Every button calls one Python entry point in xl_appraisal.excel.macros via xlwings' RunPython;
' all messages the user sees come from Python, in Chinese.
Option Explicit

Private Const ENTRY As String = "import xl_appraisal.excel.macros as m; m."

Public Sub XA_Recalc(control As IRibbonControl)
    RunPython ENTRY & "recalc()"
End Sub

Public Sub XA_Check(control As IRibbonControl)
    RunPython ENTRY & "check()"
End Sub

Public Sub XA_Split(control As IRibbonControl)
    RunPython ENTRY & "split()"
End Sub

Public Sub XA_Collect(control As IRibbonControl)
    RunPython ENTRY & "collect()"
End Sub

Public Sub XA_Export(control As IRibbonControl)
    RunPython ENTRY & "export()"
End Sub

Public Sub XA_ImportSignins(control As IRibbonControl)
    RunPython ENTRY & "import_signins()"
End Sub

Public Sub XA_Help(control As IRibbonControl)
    RunPython ENTRY & "show_help()"
End Sub
