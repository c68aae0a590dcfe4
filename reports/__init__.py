"""The comité de pilotage pack: built from the indicators and the database, written as a
PowerPoint deck and an Excel workbook, frozen for a comité and found again later."""
