from academy.celery import app, ensure_filesystem_broker_folders


def test_filesystem_broker_folders_are_created_before_anything_is_sent(tmp_path):
    options = app.conf.broker_transport_options
    folders = {
        "data_folder_in": tmp_path / "q",
        "data_folder_out": tmp_path / "q",
        "processed_folder": tmp_path / "done",
        "control_folder": tmp_path / "control",
    }
    app.conf.broker_transport_options = {k: str(v) for k, v in folders.items()}
    try:
        ensure_filesystem_broker_folders()
    finally:
        app.conf.broker_transport_options = options
    assert (tmp_path / "q").is_dir() and (tmp_path / "done").is_dir()
    assert (tmp_path / "control").is_dir()
