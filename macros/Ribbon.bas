Attribute VB_Name = "Ribbon"
' Ribbon callbacks of the tab defined in customUI/customUI14.xml.
' ASCII only: the VBA project's code page would turn Chinese into ????. The Chinese messages this
' module shows live in cells of the guide sheet, named xaMsg* in the workbook (see build_button_help).
' Every button calls one Python entry point in xl_appraisal.excel.macros via xlwings' RunPython; every
' message after Python has started comes from Python, in Chinese. Before that, this module says in
' Chinese what to do when the host is not Microsoft Excel (WPS, LibreOffice), when it is a Mac, when the
' Python set by "xl-appraisal setup-excel" is missing, and when Python could not start at all.
Option Explicit

Private Const ENTRY As String = "import xl_appraisal.excel.macros as m; m."

' The Chinese text of a named cell; the name itself if the cell is gone.
Public Function XA_Message(ByVal key As String) As String
    On Error GoTo missing
    XA_Message = CStr(ThisWorkbook.Names(key).RefersToRange.Value)
    Exit Function
missing:
    XA_Message = "xl-appraisal: " & key
End Function

' Which message stops a button before Python is asked ("" when none).
Public Function XA_Blocker(ByVal host As String, ByVal onMac As Boolean, ByVal interpreter As String, _
                           ByVal found As Boolean) As String
    XA_Blocker = ""
    If host <> "Microsoft Excel" Then
        XA_Blocker = "xaMsgHost"
    ElseIf onMac Then
        XA_Blocker = "xaMsgMac"
    ElseIf interpreter <> "" And Not found Then
        XA_Blocker = "xaMsgNoPython"
    End If
End Function

Private Function XA_OnMac() As Boolean
    #If Mac Then
        XA_OnMac = True
    #Else
        XA_OnMac = False
    #End If
End Function

Public Sub XA_Run(ByVal command As String)
    Dim interpreter As String, found As Boolean, blocker As String
    If Application.Name = "Microsoft Excel" And Not XA_OnMac() Then
        interpreter = GetConfig("INTERPRETER_WIN", "")
        If interpreter <> "" Then found = FileExists(interpreter)
    End If
    blocker = XA_Blocker(Application.Name, XA_OnMac(), interpreter, found)
    If blocker <> "" Then
        MsgBox XA_Message(blocker), vbExclamation, XA_Message("xaMsgTitle")
        Exit Sub
    End If
    If RunPython(ENTRY & command) <> 0 Then
        MsgBox XA_Message("xaMsgFailed"), vbExclamation, XA_Message("xaMsgTitle")
    End If
End Sub

Public Sub XA_Recalc(control As IRibbonControl)
    XA_Run "recalc()"
End Sub

Public Sub XA_Check(control As IRibbonControl)
    XA_Run "check()"
End Sub

Public Sub XA_Split(control As IRibbonControl)
    XA_Run "split()"
End Sub

Public Sub XA_Collect(control As IRibbonControl)
    XA_Run "collect()"
End Sub

Public Sub XA_Export(control As IRibbonControl)
    XA_Run "export()"
End Sub

Public Sub XA_ImportSignins(control As IRibbonControl)
    XA_Run "import_signins()"
End Sub

Public Sub XA_Help(control As IRibbonControl)
    XA_Run "show_help()"
End Sub
